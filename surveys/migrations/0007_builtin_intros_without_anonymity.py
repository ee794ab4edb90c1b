"""The built-in instruments' introductions no longer say that the survey is anonymous: the
survey page says so itself, once, above every instrument's questions.

Only an introduction still worded as 0002 left it is changed (a director's own wording stays),
and only that sentence goes; no question changes, so no answer means anything else.
"""

from django.db import migrations

# code: (the introduction 0002 wrote, the same without its anonymity sentence)
INTROS = {
    "program_evaluation": (
        "This short survey helps us learn whether peer support reaches and helps physicians in "
        "your department. It is anonymous: your answers are not linked to you.",
        "This short survey helps us learn whether peer support reaches and helps physicians in "
        "your department.",
    ),
    "recipient_feedback": (
        "You recently talked with a peer supporter. Your answers help us improve the program. "
        "They are anonymous: they are not linked to you or to your supporter.",
        "You recently talked with a peer supporter. Your answers help us improve the program.",
    ),
    "supporter_training": (
        "Thank you for taking part in the peer supporter training. Your answers are anonymous "
        "and help us improve the course.",
        "Thank you for taking part in the peer supporter training. Your answers help us improve "
        "the course.",
    ),
    "wellbeing": (
        "Please indicate for each of the five statements which is closest to how you have been "
        "feeling over the last two weeks. Your answers are anonymous.",
        "Please indicate for each of the five statements which is closest to how you have been "
        "feeling over the last two weeks.",
    ),
}


def _reword(apps, index: int) -> None:
    InstrumentVersion = apps.get_model("surveys", "InstrumentVersion")
    for code, intros in INTROS.items():
        InstrumentVersion.objects.filter(
            instrument__code=code, instrument__builtin=True, intro=intros[1 - index]
        ).update(intro=intros[index])


def drop_anonymity_sentence(apps, schema_editor):
    _reword(apps, 1)


def restore_anonymity_sentence(apps, schema_editor):
    _reword(apps, 0)


class Migration(migrations.Migration):
    dependencies = [("surveys", "0006_answer_counts")]

    operations = [migrations.RunPython(drop_anonymity_sentence, restore_anonymity_sentence)]
