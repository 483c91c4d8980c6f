"""manage.py generate_scale --scale district|city|nation [--seed N] [--fresh] [--summary path.json]

Writes benchmark data at one of three scales (jianfu/scale/sizes.py), deterministically: the same
seed gives the same rows, whatever the date. On PostgreSQL the big tables go in with COPY."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jianfu.scale import sizes
from jianfu.scale.generate import runner


class Command(BaseCommand):
    help = "生成基准测试用的规模数据：一个区（district）、一个特大城市（city）或全国（nation，仅组织和月度汇总）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            required=True,
            help="district（一个区）、city（特大城市，约 3 500 个社区）或 nation（全国，约 12 万个社区）",
        )
        parser.add_argument(
            "--seed", type=int, default=sizes.DEFAULT_SEED, help="随机种子（默认 2026）：相同种子生成相同数据"
        )
        parser.add_argument("--fresh", action="store_true", help="先清空数据库中的全部数据再生成")
        parser.add_argument("--summary", type=Path, help="把汇总（各表行数、登录账号、编码）写入此 JSON 文件")

    def handle(self, *args, scale: str, seed: int, fresh: bool, summary: Path | None, **options):
        # The tests' sizes ("tiny", "tiny-nation") are accepted but not advertised.
        if scale not in sizes.SCALES:
            raise CommandError(f"未知的规模“{scale}”，可选：{'、'.join(sizes.PUBLIC_SCALES)}。")
        try:
            result = runner.run(scale, seed=seed, fresh=fresh, out=self.stdout.write)
        except runner.Refused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("")
        self.stdout.write(f"完成：共写入 {result['total_rows']:,} 行，用时 {result['seconds']:.1f} 秒。")
        width = max(len(k) for k in result["rows"])
        for table, count in result["rows"].items():
            self.stdout.write(f"  {table:<{width}}  {count:>12,}")
        login = result["login"]
        self.stdout.write(
            f"登录：准入办 {login['office']}，社区工作者 {login['community']}，密码均为 {login['password']}。"
        )
        if summary:
            summary.parent.mkdir(parents=True, exist_ok=True)
            summary.write_text(json.dumps(result, ensure_ascii=False, indent=2))
            self.stdout.write(f"汇总已写入 {summary}")
