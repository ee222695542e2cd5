"""Typed errors: each says what went wrong and what to do; the CLI and the service map them."""

from __future__ import annotations


class WinnowError(Exception):
    """Base of winnow's own errors."""


class InvalidInput(WinnowError, ValueError):
    """The input cannot be cleaned as given (not text, bad option value…)."""


class ModelError(WinnowError):
    """A model artifact cannot be used."""


class ModelNotFound(ModelError, FileNotFoundError):
    """No artifact where one was expected."""


class ModelIntegrityError(ModelError):
    """The artifact's bytes differ from what its card promises (corrupt or tampered)."""


class ModelMismatch(ModelError):
    """The artifact was made by an incompatible winnow (format or feature version)."""
