"""Chinese complaint classifier: suggest a category (and so a unit) for a citizen's message.

Character n-gram TF-IDF (the subject line weighted on its own) → linear SVM → softmax with a
fitted temperature; works on raw and on jieba-segmented text alike. See docs/classifier.md.

Public API (import from the modules; this package imports nothing heavy itself, so that
``hotline`` commands which never classify do not pay for numpy and scikit-learn):

* ``predict.load_model(path) -> Classifier``: ``.labels``, ``.version``, ``.sha256``,
  ``.predict_top(text, k=3)`` and ``.predict_top_batch(texts, k=3)`` giving
  ``[(label, probability), ...]`` best first; raises ``model.ModelError``.
* ``model.train(texts, labels, config=None, *, trained_at, source=None, progress=None)
  -> TrainedModel``, ``model.save(model, path) -> manifest``, ``model.load(path)``.
* ``dataset.load_dataset(path, text_columns, label_column) -> Dataset``; raises
  ``dataset.DatasetError``.
* ``evaluate.score_rankings``, ``evaluate.evaluate_ranker``, ``evaluate.cross_validate``.
"""
