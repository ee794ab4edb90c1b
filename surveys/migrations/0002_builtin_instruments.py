"""The four built-in instruments, in every database.

Their codes and scales are fixed by the data formats (survey_responses.csv and the reports read
them); the wording is the program's own, except WHO-5, which keeps the WHO wording (free to use).
The definitions are copied here, not imported, so this migration never changes under later code.
"""

from django.db import migrations

YES_NO, LIKERT, SCALE = "yes_no", "likert", "scale"
WHO5_POINTS = [
    "At no time",
    "Some of the time",
    "Less than half of the time",
    "More than half of the time",
    "Most of the time",
    "All of the time",
]

BUILTIN = [
    {
        "code": "program_evaluation",
        "name": "Program evaluation",
        "description": "For physicians of participating departments: awareness, use and value "
        "of the peer support program.",
        "scoring": "none",
        "intro": "This short survey helps us learn whether peer support reaches and helps "
        "physicians in your department. It is anonymous: your answers are not linked to you.",
        "questions": [
            ("aware_of_program", YES_NO, "Before this survey, did you know that your department "
             "has a peer support program?"),
            ("had_interaction", YES_NO, "Since the program started in your department, have you "
             "talked with a peer supporter after a difficult event?"),
            ("would_recommend", YES_NO, "Would you recommend the peer support program to a "
             "colleague?"),
            ("culture_improved", LIKERT, "The peer support program has improved how my "
             "department responds when a colleague has a difficult event."),
        ],
    },
    {
        "code": "recipient_feedback",
        "name": "Recipient feedback",
        "description": "For physicians who were supported: was the conversation helpful?",
        "scoring": "mean",
        "intro": "You recently talked with a peer supporter. Your answers help us improve the "
        "program. They are anonymous: they are not linked to you or to your supporter.",
        "questions": [
            ("helpful", LIKERT, "Talking with a peer supporter was helpful."),
            ("wellbeing_improved", LIKERT, "My well-being improved after the conversation."),
            ("negative_emotions_decreased", LIKERT, "Negative emotions I had about the event "
             "decreased."),
            ("stigma_decreased", LIKERT, "I feel less stigma about asking for support."),
            ("comfortable_discussing", LIKERT, "I felt comfortable discussing the event with "
             "the peer supporter."),
            ("culture_improved", LIKERT, "The program improves how my department responds to "
             "difficult events."),
            ("would_recommend", YES_NO, "Would you recommend the peer support program to a "
             "colleague?"),
        ],
    },
    {
        "code": "supporter_training",
        "name": "Supporter training evaluation",
        "description": "For peer supporters after a course.",
        "scoring": "mean",
        "intro": "Thank you for taking part in the peer supporter training. Your answers are "
        "anonymous and help us improve the course.",
        "questions": [
            ("training_useful", LIKERT, "The training was useful for my role as a peer "
             "supporter."),
            ("culture_shift", LIKERT, "Peer support is shifting the culture around difficult "
             "events in our hospitals."),
            ("confidence", LIKERT, "I feel confident reaching out to a colleague after a "
             "difficult event."),
        ],
    },
    {
        "code": "wellbeing",
        "name": "WHO-5 well-being index",
        "description": "The WHO-5 well-being index, for any physician.",
        "scoring": "who5",
        "intro": "Please indicate for each of the five statements which is closest to how you "
        "have been feeling over the last two weeks. Your answers are anonymous.",
        "questions": [
            ("who5_1", SCALE, "I have felt cheerful and in good spirits."),
            ("who5_2", SCALE, "I have felt calm and relaxed."),
            ("who5_3", SCALE, "I have felt active and vigorous."),
            ("who5_4", SCALE, "I woke up feeling fresh and rested."),
            ("who5_5", SCALE, "My daily life has been filled with things that interest me."),
        ],
    },
]


def create_builtin(apps, schema_editor):
    Instrument = apps.get_model("surveys", "Instrument")
    InstrumentVersion = apps.get_model("surveys", "InstrumentVersion")
    Question = apps.get_model("surveys", "Question")
    for spec in BUILTIN:
        instrument, _ = Instrument.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "description": spec["description"],
                "builtin": True,
            },
        )
        if InstrumentVersion.objects.filter(instrument=instrument).exists():
            continue
        version = InstrumentVersion.objects.create(
            instrument=instrument, number=1, intro=spec["intro"], scoring=spec["scoring"]
        )
        for position, (code, kind, text) in enumerate(spec["questions"], start=1):
            scored = spec["scoring"] != "none" and kind != YES_NO
            Question.objects.create(
                version=version,
                position=position,
                code=code,
                text=text,
                kind=kind,
                required=True,
                min_value=0 if kind == SCALE else None,
                max_value=5 if kind == SCALE else None,
                options=WHO5_POINTS if kind == SCALE else [],
                scored=scored,
            )


def remove_builtin(apps, schema_editor):
    Instrument = apps.get_model("surveys", "Instrument")
    InstrumentVersion = apps.get_model("surveys", "InstrumentVersion")
    Question = apps.get_model("surveys", "Question")
    codes = [spec["code"] for spec in BUILTIN]
    Question.objects.filter(version__instrument__code__in=codes).delete()
    InstrumentVersion.objects.filter(instrument__code__in=codes).delete()
    Instrument.objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_builtin, remove_builtin)]
