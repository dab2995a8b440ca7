from django.db import migrations

REASONS = {
    "reject": [
        "No cumple los requisitos del trámite",
        "Los datos no coinciden con los registros del Ministerio",
        "El documento presentado no es válido o no es legible",
        "El trámite no corresponde a esta dependencia",
        "La persona desistió del trámite",
        "Otro motivo (explíquelo abajo)",
    ],
    "corrections": [
        "Falta un documento requerido",
        "Un documento no se puede leer: súbalo de nuevo",
        "Un dato no coincide con los registros",
        "Falta completar una respuesta",
        "Otro motivo (explíquelo abajo)",
    ],
}


def add_reasons(apps, schema_editor):
    DecisionReason = apps.get_model("cases", "DecisionReason")
    for kind, texts in REASONS.items():
        for position, text in enumerate(texts):
            DecisionReason.objects.get_or_create(kind=kind, text=text, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_files_notes_reasons_absences")]
    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
