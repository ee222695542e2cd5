"""winnow.spark: the pandas UDF in local mode gives what clean() gives, page by page."""

import importlib.util
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from winnow import clean
from winnow.errors import InvalidInput, ModelNotFound
from winnow.labels import load_pages
from winnow.spark import ModelRef, Settings, SparkClean, clean_column, clean_series

from .conftest import DEFAULT_MODEL, LABELS, ROOT

EXAMPLES = ROOT / "examples"

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    pytest.importorskip("pyarrow")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java")
    from winnow.spark import local_session

    session = local_session("winnow-tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def pages() -> list[tuple[str, str | None]]:
    labelled, _ = load_pages([LABELS])
    chosen = sorted(labelled, key=lambda p: p.id)[::12]
    return [(p.id, p.text) for p in chosen] + [("null", None), ("empty", ""), ("blank", " \n\n")]


def as_rows(article) -> list[tuple]:
    return [(r.number, r.text, r.label, r.p_content) for r in article.lines]


@pytest.mark.spark
def test_clean_column_equals_clean_page_by_page(spark, pages, model):
    df = spark.createDataFrame(pages, "id string, text string")  # local[2]: 2 partitions
    out = clean_column(df, "text", model_path=str(DEFAULT_MODEL), labels=True)
    assert out.columns == [
        "id", "text", "clean_title", "clean_text", "clean_lines", "clean_error"
    ]  # fmt: skip
    rows = {row.id: row for row in out.collect()}
    assert sorted(rows) == sorted(page_id for page_id, _ in pages)
    for page_id, text in pages:
        row = rows[page_id]
        assert row.clean_error is None
        if text is None:
            assert (row.clean_title, row.clean_text, row.clean_lines) == (None, None, None)
            continue
        article = clean(text, model=model)
        assert (row.clean_title, row.clean_text) == (article.title, article.text)
        assert [tuple(line) for line in row.clean_lines] == as_rows(article)


@pytest.mark.spark
def test_model_read_from_a_shared_path_with_a_threshold(spark, pages, model):
    from winnow.spark import with_clean_columns

    df = spark.createDataFrame(pages[:4], "id string, text string")
    spec = SparkClean(model_path=str(DEFAULT_MODEL), threshold=0.8, ship=False)
    out = with_clean_columns(df, "text", spec).collect()
    assert [row.id for row in out] == [page_id for page_id, _ in pages[:4]]
    for row in out:
        article = clean(row.text, model=model, threshold=0.8)
        assert (row.clean_title, row.clean_text) == (article.title, article.text)
        assert "clean_lines" not in row.asDict()


@pytest.mark.spark
def test_bad_arguments_fail_on_the_driver(spark):
    df = spark.createDataFrame([(1, 2)], "id int, body int")
    with pytest.raises(InvalidInput, match="no column 'text'"):
        clean_column(df)
    with pytest.raises(InvalidInput, match="must hold strings"):
        clean_column(df, "body")
    texts = spark.createDataFrame([("x",)], "text string")
    with pytest.raises(InvalidInput, match="mode must be one of"):
        clean_column(texts, mode="fast")
    with pytest.raises(ModelNotFound, match="no model at"):
        clean_column(texts, model_path="no/such/model")


@pytest.mark.spark
def test_parquet_example_runs(spark, tmp_path, model, capsys):
    spec = importlib.util.spec_from_file_location("example", EXAMPLES / "spark_clean_parquet.py")
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    texts = {"a.txt": "Headline\nThe first sentence of the story.", "sub/b.txt": "menu\nhome"}
    for name, text in texts.items():
        (pages / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out" / "cleaned.parquet"
    argv = ["--pages", str(pages), "--output", str(out), "--model", str(DEFAULT_MODEL)]
    assert example.main(argv) == 0
    assert "2 pages, 0 failed" in capsys.readouterr().out
    rows = {r.id: r for r in spark.read.parquet(str(out)).collect()}
    assert sorted(rows) == sorted(texts)
    for name, text in texts.items():
        assert rows[name].clean_text == clean(text, model=model).text


def test_clean_series_without_spark(model):
    texts = pd.Series(["Title\nA sentence of body text.", None, float("nan"), ""])
    ref = ModelRef(str(DEFAULT_MODEL))
    out = clean_series(texts, ref, Settings("balanced", None, labels=True))
    assert list(out.columns) == ["title", "text", "lines", "error"]
    article = clean(texts[0], model=model)
    assert (out.title[0], out.text[0]) == (article.title, article.text)
    assert out.lines[0] == [
        {"line": n, "text": t, "label": lab, "p": p} for n, t, lab, p in as_rows(article)
    ]
    assert out.iloc[1].isna().all() and out.iloc[2].isna().all()
    assert out.text[3] == "" and out.error.isna().all()


def test_winnow_imports_without_pyspark():
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "import winnow, winnow.batch, winnow.spark\n"
        "from winnow.spark import clean_udf, SparkClean\n"
        "try:\n    clean_udf(None, SparkClean())\n"
        "except ImportError as err:\n    print(err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "pip install 'winnow[spark]'" in done.stdout
