"""The catalogues the office edits afterwards: the branch standardization criteria and the problem categories
of weak and lax organizations, seeded with the wording of Gansu's 党支部建设标准化 programme."""
from django.db import migrations

STANDARD = [
    ("支部设置标准化", [
        ("1.1", "按照规定设置党支部，隶属关系清晰", 6),
        ("1.2", "支部委员会或书记按期换届，班子配备齐全", 6),
        ("1.3", "党小组划分合理，组长履职到位", 4),
    ]),
    ("组织生活正常化", [
        ("2.1", "按期召开支部党员大会、支委会、党小组会", 8),
        ("2.2", "书记和班子成员按规定讲党课", 5),
        ("2.3", "每年召开组织生活会、开展民主评议党员", 5),
        ("2.4", "每月开展主题党日活动", 5),
    ]),
    ("管理服务精细化", [
        ("3.1", "党员信息准确完整，组织关系转接规范", 6),
        ("3.2", "按程序发展党员，预备党员按期转正", 6),
        ("3.3", "党费按月足额收缴，按规定使用", 5),
        ("3.4", "联系服务党员群众，关怀帮扶到位", 4),
    ]),
    ("工作制度体系化", [
        ("4.1", "建立并落实“三会一课”等基本制度", 6),
        ("4.2", "党建工作与教育教学业务同部署同考核", 6),
        ("4.3", "落实意识形态工作责任制", 4),
    ]),
    ("阵地建设规范化", [
        ("5.1", "有固定的党员活动室，标识规范", 5),
        ("5.2", "运用学习强国、甘肃党建等平台开展学习", 4),
    ]),
    ("工作保障制度化", [
        ("6.1", "党建工作经费有保障", 5),
        ("6.2", "党建工作记录完整规范，档案齐全", 5),
        ("6.3", "书记和党务干部参加培训", 5),
    ]),
]

PROBLEMS = [
    "班子配备不齐、书记长期缺职",
    "班子软弱无力、凝聚力不强",
    "组织生活不正常、“三会一课”不落实",
    "党员教育管理松散",
    "制度不健全、工作机制不顺",
    "党建与办学“两张皮”、作用发挥不明显",
    "活动阵地和经费保障不足",
    "其他",
]


def seed(apps, schema_editor):
    area_model = apps.get_model("branches", "StandardArea")
    item_model = apps.get_model("branches", "StandardItem")
    category_model = apps.get_model("branches", "ProblemCategory")
    for order, (area_name, items) in enumerate(STANDARD, start=1):
        area, _ = area_model.objects.get_or_create(name=area_name, defaults={"sort_order": order})
        for code, title, points in items:
            item_model.objects.get_or_create(code=code, defaults={"area": area, "title": title, "points": points})
    for order, name in enumerate(PROBLEMS, start=1):
        category_model.objects.get_or_create(name=name, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("branches", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
