"""winnow: raw page text in, the article (title and body) out.

    >>> from winnow import clean
    >>> article = clean(page_text)          # default model, loaded once per process
    >>> article.title, article.text

`load_model(path)` loads another artifact (models/<name>/); pass it as `clean(text, model=…)`.
"""

__version__ = "0.1.0"

from winnow.article import Article, LineResult
from winnow.clean import clean
from winnow.model import WinnowModel, load_model

__all__ = ["Article", "LineResult", "WinnowModel", "__version__", "clean", "load_model"]
