"""The built-in instruments' Spanish wording, beside the English.

WHO-5 keeps its published Spanish version (WHO Collaborating Centre in Mental Health,
Psychiatric Research Unit, Frederiksborg); the other instruments' wording is the program's own.
Only an empty Spanish field is filled, so wording put in since stays. Question codes, scales and
answers do not change: an answer in Spanish is the same answer as one in English.
"""

from django.db import migrations

WHO5_POINTS_ES = [  # lowest first, as 0002 orders WHO5_POINTS (0 = "At no time")
    "Nunca",
    "De vez en cuando",
    "Menos de la mitad del tiempo",
    "Más de la mitad del tiempo",
    "La mayor parte del tiempo",
    "Todo el tiempo",
]
WOULD_RECOMMEND = "¿Recomendaría el programa de apoyo entre pares a un colega?"

SPANISH = {
    "program_evaluation": {
        "name": "Evaluación del programa",
        "description": "Para los médicos de los departamentos participantes: conocimiento, uso y "
        "valor del programa de apoyo entre pares.",
        "intro": "Esta breve encuesta nos ayuda a saber si el apoyo entre pares llega a los "
        "médicos de su departamento y si les ayuda.",
        "questions": {
            "aware_of_program": "Antes de esta encuesta, ¿sabía que su departamento tiene un "
            "programa de apoyo entre pares?",
            "had_interaction": "Desde que el programa comenzó en su departamento, ¿ha hablado "
            "con un colega de apoyo después de un evento difícil?",
            "would_recommend": WOULD_RECOMMEND,
            "culture_improved": "El programa de apoyo entre pares ha mejorado la forma en que mi "
            "departamento responde cuando un colega vive un evento difícil.",
        },
    },
    "recipient_feedback": {
        "name": "Opinión de quienes recibieron apoyo",
        "description": "Para los médicos que recibieron apoyo: ¿fue útil la conversación?",
        "intro": "Hace poco habló con un colega de apoyo. Sus respuestas nos ayudan a mejorar el "
        "programa.",
        "questions": {
            "helpful": "Hablar con un colega de apoyo me resultó útil.",
            "wellbeing_improved": "Mi bienestar mejoró después de la conversación.",
            "negative_emotions_decreased": "Disminuyeron las emociones negativas que tenía "
            "sobre el evento.",
            "stigma_decreased": "Siento menos estigma al pedir apoyo.",
            "comfortable_discussing": "Me sentí en confianza para hablar del evento con el "
            "colega de apoyo.",
            "culture_improved": "El programa mejora la forma en que mi departamento responde a "
            "los eventos difíciles.",
            "would_recommend": WOULD_RECOMMEND,
        },
    },
    "supporter_training": {
        "name": "Evaluación de la formación de colegas de apoyo",
        "description": "Para los colegas de apoyo, después de un curso.",
        "intro": "Gracias por participar en la formación de colegas de apoyo. Sus respuestas nos "
        "ayudan a mejorar el curso.",
        "questions": {
            "training_useful": "La formación fue útil para mi función como colega de apoyo.",
            "culture_shift": "El apoyo entre pares está cambiando la cultura en torno a los "
            "eventos difíciles en nuestros hospitales.",
            "confidence": "Tengo confianza para contactar a un colega después de un evento "
            "difícil.",
        },
    },
    "wellbeing": {
        "name": "Índice de bienestar WHO-5",
        "description": "El índice de bienestar WHO-5, para cualquier médico.",
        "intro": "Por favor, indique para cada una de las cinco afirmaciones cuál define mejor "
        "cómo se ha sentido durante las últimas dos semanas.",
        "questions": {
            "who5_1": "Me he sentido alegre y de buen humor.",
            "who5_2": "Me he sentido tranquilo y relajado.",
            "who5_3": "Me he sentido activo y enérgico.",
            "who5_4": "Me he despertado fresco y descansado.",
            "who5_5": "Mi vida cotidiana ha estado llena de cosas que me interesan.",
        },
        "options": WHO5_POINTS_ES,
    },
}


def add_spanish(apps, schema_editor):
    Instrument = apps.get_model("surveys", "Instrument")
    InstrumentVersion = apps.get_model("surveys", "InstrumentVersion")
    Question = apps.get_model("surveys", "Question")
    for code, spanish in SPANISH.items():
        builtin = Instrument.objects.filter(code=code, builtin=True)
        builtin.filter(name_es="").update(name_es=spanish["name"])
        builtin.filter(description_es="").update(description_es=spanish["description"])
        InstrumentVersion.objects.filter(instrument__in=builtin, intro_es="").update(
            intro_es=spanish["intro"]
        )
        questions = Question.objects.filter(version__instrument__in=builtin)
        for question_code, text in spanish["questions"].items():
            questions.filter(code=question_code, text_es="").update(text_es=text)
        if "options" in spanish:
            for question in questions.filter(kind="scale"):
                if not question.options_es:
                    question.options_es = spanish["options"]
                    question.save(update_fields=["options_es"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0008_spanish_wording")]

    operations = [migrations.RunPython(add_spanish, migrations.RunPython.noop)]
