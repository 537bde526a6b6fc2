"""The three roles as groups: 工委管理员 (everything), 党组织书记 (their organization's records), 领导 (reads all)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    # Permissions are otherwise created only after the last migration; the groups need them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    from accounts.roles import sync_groups

    sync_groups(apps)


def remove_roles(apps, schema_editor):
    from accounts.roles import GROUPS

    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0001_initial"),
        ("branches", "0003_annual_plan"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
