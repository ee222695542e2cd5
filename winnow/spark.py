"""winnow inside Spark: clean a DataFrame column of page texts with a pandas UDF.

    from winnow.spark import clean_column
    cleaned = clean_column(spark.read.parquet("pages/"), "text")   # + clean_title, clean_text, …

The UDF gets Arrow batches of pages as pandas Series; each Python worker loads the model once
(module-level cache in this module, which the worker imports) and reuses it for every batch
and task it runs. The model reaches the executors one of two ways: shipped with the job
(`SparkContext.addFile` of the model folder, the default) or read from a path every executor
sees (`ship=False`: a shared mount, or the folder baked into the executors' image).

pyspark is imported only inside these functions: `import winnow` never needs it. Install it
with `pip install winnow[spark]`; executors need winnow installed too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from winnow.errors import InvalidInput

OUTPUT_PREFIX = "clean_"
INSTALL_HINT = "winnow.spark needs pyspark and pyarrow: pip install 'winnow[spark]'"


@dataclass(frozen=True)
class SparkClean:
    """What to clean with: `model_path` (None = $WINNOW_MODEL or models/default on the driver),
    `mode` or `threshold` (as `clean()`), per-line `labels`, and whether to `ship` the model
    folder with the job (else every executor reads `model_path` itself)."""

    model_path: str | None = None
    mode: str = "balanced"
    threshold: float | None = None
    labels: bool = False
    ship: bool = True


@dataclass(frozen=True)
class ModelRef:
    """How an executor finds the model: a file name in `SparkFiles`, or a path it can read."""

    path: str
    shipped_as: str | None = None

    def local_path(self) -> str:
        if self.shipped_as is None:
            return self.path
        from pyspark import SparkFiles

        return SparkFiles.get(self.shipped_as)


def clean_column(
    df,
    text_col: str = "text",
    *,
    model_path: str | None = None,
    mode: str = "balanced",
    labels: bool = False,
):
    """`df` plus `clean_title`, `clean_text`, `clean_error` (and `clean_lines` with `labels`).

    A null text gives null results; a page that fails gives null title/text and the reason in
    `clean_error` (one bad page never fails the job). For a threshold, or a model read from a
    shared path rather than shipped, use `with_clean_columns(df, text_col, SparkClean(...))`.
    """
    return with_clean_columns(df, text_col, SparkClean(model_path, mode, labels=labels))


def with_clean_columns(df, text_col: str, spec: SparkClean):
    from pyspark.sql import functions as F

    _check_text_column(df, text_col)
    udf = clean_udf(df.sparkSession, spec)
    tmp = "__winnow_clean"
    fields = result_fields(spec.labels)
    out = df.withColumn(tmp, udf(F.col(text_col)))
    return out.select(
        *[F.col(f"`{c}`") for c in df.columns if not _is_output(c, fields)],
        *[F.col(f"{tmp}.{name}").alias(OUTPUT_PREFIX + name) for name in fields],
    )


def _is_output(column: str, fields: tuple[str, ...]) -> bool:
    return column in {OUTPUT_PREFIX + name for name in fields}


def _check_text_column(df, text_col: str) -> None:
    from pyspark.sql.types import StringType

    if text_col not in df.columns:
        raise InvalidInput(f"no column {text_col!r} in the DataFrame ({', '.join(df.columns)})")
    kind = df.schema[text_col].dataType
    if not isinstance(kind, StringType):
        raise InvalidInput(f"column {text_col!r} must hold strings, it holds {kind.simpleString()}")


def result_fields(labels: bool) -> tuple[str, ...]:
    return ("title", "text", "lines", "error") if labels else ("title", "text", "error")


def result_schema(labels: bool):
    """The UDF's struct: title, text, [lines: array<struct<line, text, label, p>>], error."""
    from pyspark.sql import types as T

    line = T.StructType(
        [
            T.StructField("line", T.IntegerType()),
            T.StructField("text", T.StringType()),
            T.StructField("label", T.StringType()),
            T.StructField("p", T.DoubleType()),
        ]
    )
    types = {"title": T.StringType(), "text": T.StringType(), "error": T.StringType()}
    types["lines"] = T.ArrayType(line)
    return T.StructType([T.StructField(name, types[name]) for name in result_fields(labels)])


def clean_udf(spark, spec: SparkClean):
    """The pandas UDF (Series of page texts -> struct per page), model shipped or shared."""
    try:
        from pyspark.sql.functions import pandas_udf
    except ImportError as err:
        raise ImportError(INSTALL_HINT) from err
    _check_options(spec)
    ref = model_ref(spark, spec)
    labels, mode, threshold = spec.labels, spec.mode, spec.threshold

    def clean_pages(texts: pd.Series) -> pd.DataFrame:
        from winnow import spark as worker  # the real module: its cache outlives this batch

        return worker.clean_series(texts, ref, Settings(mode, threshold, labels))

    return pandas_udf(clean_pages, result_schema(spec.labels))


class _AnyThresholds:
    """Stands in for a model when only the options' validity is in question."""

    def threshold(self, mode: str) -> float:
        return 0.5


def _check_options(spec: SparkClean) -> None:
    """Bad options fail on the driver, before a job starts (clean()'s own rules)."""
    from winnow.clean import resolve_threshold

    resolve_threshold(_AnyThresholds(), spec.mode, spec.threshold)


def model_ref(spark, spec: SparkClean) -> ModelRef:
    """Ship the model folder with the job (addFile), or trust executors to read the path."""
    from winnow.model import DEFAULT_MODEL_DIR, read_card

    path = spec.model_path or os.environ.get("WINNOW_MODEL") or str(DEFAULT_MODEL_DIR)
    if not spec.ship:
        return ModelRef(path)
    folder = Path(path).resolve()
    read_card(folder)  # a missing model fails here, not in every task
    try:
        context = spark.sparkContext
    except Exception as err:  # Spark Connect has no SparkContext
        raise InvalidInput(
            "this session cannot ship files (Spark Connect?): put the model where every "
            "executor can read it and pass SparkClean(model_path=…, ship=False)"
        ) from err
    context.addFile(str(folder), recursive=True)
    return ModelRef(str(folder), shipped_as=folder.name)


# --- executor side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    mode: str
    threshold: float | None
    labels: bool


_MODELS: dict[ModelRef, object] = {}  # one model per Python worker process, kept across tasks


def worker_model(ref: ModelRef):
    model = _MODELS.get(ref)
    if model is None:
        from winnow.model import load_model

        model = _MODELS[ref] = load_model(ref.local_path())
    return model


def clean_series(texts: pd.Series, ref: ModelRef, settings: Settings) -> pd.DataFrame:
    """pandas Series of texts (None/NaN for nulls) -> DataFrame with the result struct's fields."""
    model = worker_model(ref)
    rows = [clean_row(text, model, settings) for text in texts]
    return pd.DataFrame(rows, columns=list(result_fields(settings.labels)))


def clean_row(text, model, settings: Settings) -> dict:
    from winnow.clean import clean

    row = dict.fromkeys(result_fields(settings.labels))
    if not isinstance(text, str):  # a null page: null results, not an error
        return row
    try:
        article = clean(text, model=model, mode=settings.mode, threshold=settings.threshold)
    except Exception as err:  # one bad page must not fail the task (and, retried, the job)
        row["error"] = f"{type(err).__name__}: {err}"
        return row
    row.update(title=article.title, text=article.text)
    if settings.labels:
        row["lines"] = [
            {"line": r.number, "text": r.text, "label": r.label, "p": r.p_content}
            for r in article.lines
        ]
    return row


def local_session(app_name: str = "winnow"):
    """A quiet local[2] SparkSession whose Python workers run this interpreter (tests, bench)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.pyspark.python", sys.executable)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
