from django.db import migrations

# The fixed phrases of the committee secretary's 2023 duty report, as the first year's text the office edits.
SEED_2023 = {
    "theme_education": "学习贯彻习近平新时代中国特色社会主义思想主题教育",
    "guidance_group": "安排教育系统主题教育指导组全程参加指导",
    "team_review": "结合年终考核对城市小学、幼儿园和农村学区领导班子新一轮分析研判工作",
    "mutual_learning": "“互学互讲”活动",
    "activities": "深入推进“五强五争做”先锋引领行动、“双培双强”人才培养工程、“两帮一带”等党性实践活动。",
    "inspection": "全力配合区委专项巡察、机动式巡察和“回头看”工作，巩固提升巡察整改工作成果。",
    "clean_government": "如实报告个人有关事项，从严要求配偶、亲属及身边工作人员，秉公办事，廉洁奉公，"
                        "本人和班子成员没有发生违犯党风廉政的问题。",
}


def seed(apps, schema_editor):
    ReportText = apps.get_model("branches", "ReportText")
    for key, text in SEED_2023.items():
        ReportText.objects.get_or_create(year=2023, key=key, defaults={"text": text})


class Migration(migrations.Migration):
    dependencies = [("branches", "0120_report_text")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
