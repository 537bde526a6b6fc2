import time

from django.core.management.base import BaseCommand

from branches import demo


class Command(BaseCommand):
    help = "载入演示区县：2023年述职报告中的各项数字都以记录的形式存在。"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=demo.DEFAULT_MEMBERS, help="在册党员人数（默认3800）")
        parser.add_argument("--reset", action="store_true", help="清空现有记录后重建（会删除全部党组织、党员等记录）")

    def handle(self, *args, members, reset, **options):
        from branches.models import Member, Organization

        started = time.perf_counter()
        if not demo.load(members=members, reset=reset):
            self.stdout.write(
                f"已有记录（{Organization.objects.count()}个党组织、{Member.objects.on_roll().count()}名在册党员），未作改动。"
                "如需重建演示数据，请加 --reset。"
            )
            return
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已载入：{Organization.objects.count()}个党组织、{Member.objects.on_roll().count()}名在册党员，"
            f"用时{time.perf_counter() - started:.1f}秒。"
        ))
