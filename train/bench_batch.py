"""Bench sections for cleaning at scale: the batch engine and Spark local mode, same pages.

Times are wall clock from the first page handed over to the last result back, so they include
what a user waits for: starting workers and loading the model in each (noted per row).
"""

from __future__ import annotations

import os
import time

from winnow.train.bench import BenchContext, Row, section

SPARK_PARTITIONS_PER_CORE = 4  # small tasks, so the two cores finish together


def bench_pages(ctx: BenchContext) -> list[str]:
    """The throughput sample of the `clean` section: every k-th page, at most --max-pages."""
    return ctx.texts[:: max(1, len(ctx.texts) // ctx.args.max_pages)]


def _lines(texts: list[str]) -> int:
    return sum(text.count("\n") + 1 for text in texts)


@section("batch")
def batch_speed(ctx: BenchContext) -> list[Row]:
    from winnow.batch import BatchOptions, clean_records
    from winnow.records import Record

    texts = bench_pages(ctx)
    rows = []
    for jobs in (1, 2):
        records = (Record(i, str(i), text=text) for i, text in enumerate(texts))
        options = BatchOptions(model=str(ctx.model_dir), jobs=jobs)
        start = time.perf_counter()
        failed = sum(not outcome.ok for outcome in clean_records(records, options))
        seconds = time.perf_counter() - start
        rows.append(
            {
                "figure": f"batch --jobs {jobs}",
                "value": len(texts) / seconds,
                "unit": "pages/s",
                "note": f"{len(texts)} pages, {_lines(texts) / seconds:,.0f} lines/s, "
                f"{failed} failed; incl. model load per worker",
            }
        )
    return rows


@section("spark")
def spark_speed(ctx: BenchContext) -> list[Row]:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return [_skipped("pyspark is not installed (pip install 'winnow[spark]')")]
    if not _has_java():
        return [_skipped("no Java runtime (Spark needs one)")]
    return _spark_rows(ctx, bench_pages(ctx))


def _spark_rows(ctx: BenchContext, texts: list[str]) -> list[Row]:
    import warnings

    from winnow.spark import clean_column, local_session

    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas")
    spark = local_session("winnow-bench")
    try:
        rdd = spark.sparkContext.parallelize(
            [(str(i), text) for i, text in enumerate(texts)], 2 * SPARK_PARTITIONS_PER_CORE
        )
        df = spark.createDataFrame(rdd, "id string, text string").cache()
        df.count()  # the pages sit in Spark's memory before the clock starts
        rows = []
        for run in ("first run", "second run"):
            cleaned = clean_column(df, "text", model_path=str(ctx.model_dir))
            start = time.perf_counter()
            cleaned.write.format("noop").mode("overwrite").save()
            seconds = time.perf_counter() - start
            why = "starts Python workers, loads the model" if run == "first run" else "warm"
            rows.append(
                {
                    "figure": f"spark local[2], {run}",
                    "value": len(texts) / seconds,
                    "unit": "pages/s",
                    "note": f"{len(texts)} pages, pandas UDF; {why}",
                }
            )
        return rows
    finally:
        spark.stop()


def _has_java() -> bool:
    import shutil

    return bool(shutil.which("java") or os.environ.get("JAVA_HOME"))


def _skipped(why: str) -> Row:
    return {"figure": "spark local[2]", "value": "skipped", "unit": "", "note": why}
