"""Seed the satisfaction survey criteria (editable afterwards in the admin; the exact criteria
of the regulation are not confirmed, see models.py)."""

from django.db import migrations

CRITERIA = [
    ("tiep-don", "Thái độ tiếp đón, giao tiếp của cán bộ, công chức", 1),
    ("huong-dan", "Hướng dẫn lập hồ sơ đầy đủ, rõ ràng, dễ hiểu", 2),
    ("thoi-gian", "Thời gian giải quyết hồ sơ đúng hẹn", 3),
    ("ket-qua", "Kết quả giải quyết đúng quy định", 4),
    ("hai-long-chung", "Mức độ hài lòng chung", 5),
]


def seed(apps, schema_editor):
    RatingCriterion = apps.get_model("portal", "RatingCriterion")
    for code, name, order in CRITERIA:
        RatingCriterion.objects.get_or_create(code=code, defaults={"name": name, "order": order})


def unseed(apps, schema_editor):
    RatingCriterion = apps.get_model("portal", "RatingCriterion")
    RatingCriterion.objects.filter(code__in=[c for c, _n, _o in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
