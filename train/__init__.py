"""Training, evaluation, benchmarks: what learns or measures a model (`winnow.train`)."""
