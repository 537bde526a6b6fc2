"""The office's admin site: its index in the order of the office's work, in Chinese, without the nav sidebar."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

# The index's sections, in the order the office works through them; each lists its models in this order.
SECTIONS = [
    ("党组织与党员", ["branches.organization", "branches.member", "branches.tenure", "branches.memberchange", "branches.transfer",
                "branches.leader"]),
    ("发展党员", ["branches.recruit", "branches.recruitmentplan", "branches.steprule"]),
    ("换届", ["branches.election"]),
    ("标准化", ["branches.assessment", "branches.standarditem", "branches.standardlevel", "branches.standardarea"]),
    ("整顿", ["branches.rectificationcase", "branches.problemcategory"]),
    ("组织生活", ["branches.meeting", "branches.meetingtype"]),
    ("述职评议", ["branches.reviewround", "branches.secretaryreport", "branches.ballot", "branches.comment",
                  "branches.followup", "branches.graderule"]),
    ("台账", ["branches.worklogentry", "branches.annualplan", "branches.reporttext", "branches.importbatch"]),
    ("系统", ["auth.user", "auth.group", "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"]),
]
# django-axes ships no Chinese; its lock-out records are named here, and only superusers see them.
CHINESE_NAMES = {"axes.accessattempt": "登录尝试", "axes.accessfailurelog": "登录失败记录", "axes.accesslog": "登录日志"}
SUPERUSER_ONLY = {"axes"}


class ShuzhiAdminSite(admin.AdminSite):
    site_header = "述职 · 教育工委基层党建管理系统"
    site_title = "述职"
    index_title = "组织科工作台"
    # The sidebar takes about 300 px of a 1440 px screen that the lists need; the index is one click away.
    enable_nav_sidebar = False

    def each_context(self, request):
        from branches import working_year  # the site is built before the apps' models are loaded

        context = super().each_context(request)
        if request.user.is_active and request.user.is_staff:  # the header's 工作年度
            context["working_year"] = working_year.working_year(request)
            context["working_years"] = working_year.selectable_years(request)
        return context

    def get_app_list(self, request, app_label=None):
        models = {}
        for app in super().get_app_list(request, app_label):
            if app["app_label"] in SUPERUSER_ONLY and not request.user.is_superuser:
                continue
            for model in app["models"]:
                label = f"{app['app_label']}.{model['object_name'].lower()}"
                model["name"] = CHINESE_NAMES.get(label, model["name"])
                models[label] = (app, model)
        sections = []
        for title, labels in SECTIONS:
            found = [models.pop(label) for label in labels if label in models]
            if found:
                sections.append(self._section(title, found))
        if models:  # a model not yet given a section still shows, at the end
            sections.append(self._section("其他", list(models.values())))
        return sections

    @staticmethod
    def _section(title, found):
        app = found[0][0]
        return {**app, "name": title, "models": [model for _, model in found]}


class ShuzhiAdminConfig(AdminConfig):
    default_site = "shuzhi.admin_site.ShuzhiAdminSite"

    def ready(self):
        super().ready()
        # The task queue's own rows (django-tasks' database backend) are the worker's, in English: the office follows
        # an import on its job's page.
        from django.contrib.admin.exceptions import NotRegistered

        from django_tasks_db.models import DBTaskResult

        try:
            admin.site.unregister(DBTaskResult)
        except NotRegistered:
            pass
