"""Clean a Parquet dataset of pages with Spark: read, add winnow's columns, write Parquet.

    python examples/spark_clean_parquet.py                      # builds a small input first
    python examples/spark_clean_parquet.py --input crawl.parquet --output cleaned.parquet
    python examples/spark_clean_parquet.py --pages DIR          # .txt files -> input Parquet

Without --input, the input is built from --pages (a folder of .txt files, one page each) or,
by default, from the pages of the repository's labelled corpus (data/labels). Runs in local
mode (`--master local[2]`); on a cluster, pass its master (or run it with spark-submit) and
install winnow on the executors. Needs `pip install 'winnow[spark]'` and Java 17+.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from winnow.spark import SparkClean, with_clean_columns

REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", help="Parquet with an `id` and a `text` column")
    parser.add_argument("--pages", help="without --input: a folder of .txt pages to start from")
    parser.add_argument("--output", default="/tmp/winnow-spark-example/cleaned.parquet")
    parser.add_argument("--model", help="model folder (default: $WINNOW_MODEL or models/default)")
    parser.add_argument("--mode", default="balanced", choices=("precision", "balanced", "recall"))
    parser.add_argument("--labels", action="store_true", help="also write per-line labels")
    parser.add_argument(
        "--shared-model",
        action="store_true",
        help="executors read --model themselves (a path they all see) instead of a shipped copy",
    )
    parser.add_argument("--master", default="local[2]")
    return parser.parse_args(argv)


def page_rows(folder: str | None) -> list[tuple[str, str]]:
    """(id, text) for each page: .txt files under `folder`, or the labelled corpus's pages."""
    if folder:
        root = Path(folder)
        files = sorted(root.rglob("*.txt"))
        return [(p.relative_to(root).as_posix(), p.read_text("utf-8", "replace")) for p in files]
    from winnow.labels import load_pages

    pages, _ = load_pages([REPO / "data" / "labels"])
    return [(page.id, page.text) for page in pages]


def build_input(spark: SparkSession, args: argparse.Namespace) -> str:
    path = str(Path(args.output).with_name("pages.parquet"))
    rows = page_rows(args.pages)
    spark.createDataFrame(rows, "id string, text string").write.mode("overwrite").parquet(path)
    print(f"built {path}: {len(rows)} pages")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this Python
    active = SparkSession.getActiveSession()  # in a notebook or a test: use theirs, keep it
    spark = active or (
        SparkSession.builder.master(args.master)
        .appName("winnow-clean-parquet")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    if active is None:
        spark.sparkContext.setLogLevel("WARN")
    try:
        source = args.input or build_input(spark, args)
        pages = spark.read.parquet(source)
        spec = SparkClean(
            model_path=args.model, mode=args.mode, labels=args.labels, ship=not args.shared_model
        )
        cleaned = with_clean_columns(pages, "text", spec)
        cleaned.write.mode("overwrite").parquet(args.output)
        result = spark.read.parquet(args.output)
        failed = result.filter(result.clean_error.isNotNull()).count()
        print(f"wrote {args.output}: {result.count()} pages, {failed} failed")
        result.select("id", "clean_title").show(5, truncate=60)
    finally:
        if active is None:
            spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
