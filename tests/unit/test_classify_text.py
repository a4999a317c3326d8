"""Text preparation and features: raw and segmented text alike, the fast folding equal to
Unicode NFKC, and TF-IDF equal to scikit-learn's."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.classify import textprep
from hotline.classify.features import FeatureConfig, char_ngram_keys, fit_featurizer

TEXTS = [
    "历下区 工地 噪音 扰民",
    "历下区工地夜间施工噪音扰民！",
    "ＡＢＣ小区　路灯不亮，晚上出行不便",
    "公交车不按站停靠_x000D_\n请处理",
    "市中区餐馆油烟污染…",
]


def test_segmented_and_raw_text_give_the_same_stream() -> None:
    assert textprep.char_stream("噪音 扰民") == textprep.char_stream("噪音扰民") == "噪音扰民"


def test_full_width_excel_escapes_and_controls_are_folded() -> None:
    assert textprep.char_stream("ＡＢＣ小区　路灯，不亮！") == "abc小区路灯,不亮!"
    assert textprep.char_stream("停靠_x000D_\n请处理\x00\x07") == "停靠请处理"
    assert textprep.char_stream("面积50㎡①…") == "面积50m21..."
    assert textprep.char_streams([]) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_the_fast_stream_equals_nfkc_without_spaces(text: str) -> None:
    assert textprep.char_stream(text) == re.sub(r"\s+", "", textprep.normalise(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=6))
def test_a_batch_equals_its_texts_one_by_one(texts: list[str]) -> None:
    assert textprep.char_streams(texts) == [textprep.char_stream(text) for text in texts]


def test_jieba_words_are_quiet_and_keep_segmented_boundaries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert textprep.words("噪音 扰民") == ["噪音", "扰民"]
    assert "垃圾" in textprep.words("小区垃圾无人清运")
    assert capsys.readouterr().out == ""


def test_char_ngram_keys_never_cross_documents() -> None:
    keys, owners = char_ngram_keys(["ab", "c"], [1, 2])
    assert sorted(owners.tolist()) == [0, 0, 0, 1]  # a, b, ab | c — no "bc"
    assert len(set(keys.tolist())) == 4


def test_features_equal_scikit_learn_tfidf() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    config = FeatureConfig(body_orders=(1, 2), head_chars=0, min_df=1)
    featurizer = fit_featurizer(TEXTS, config)
    ours = featurizer.transform(TEXTS)
    reference = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 2), sublinear_tf=True, lowercase=False
    ).fit_transform(textprep.char_streams(TEXTS))
    assert ours.shape == reference.shape
    for row in range(len(TEXTS)):  # same values; the column order differs
        assert np.allclose(np.sort(ours[row].data), np.sort(reference[row].data))


def test_word_features_are_available() -> None:
    config = FeatureConfig(word_orders=(1, 2), min_df=1)
    featurizer = fit_featurizer(TEXTS, config)
    assert [block.name for block in featurizer.blocks] == ["body", "head", "words"]
    matrix = featurizer.transform(["工地噪音"])
    assert matrix.shape == (1, featurizer.size)
    assert np.isclose(np.linalg.norm(matrix.toarray()), np.sqrt(3))  # three unit blocks


def test_unknown_text_gives_an_empty_row() -> None:
    featurizer = fit_featurizer(TEXTS, FeatureConfig(min_df=1))
    assert featurizer.transform(["zzz", ""]).nnz == 0


def test_the_training_matrix_equals_transforming_the_training_texts() -> None:
    from hotline.classify.features import fit_transform

    featurizer, matrix = fit_transform(TEXTS, FeatureConfig(min_df=1))
    assert (abs(matrix - featurizer.transform(TEXTS)) > 1e-12).nnz == 0
