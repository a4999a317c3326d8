"""Normalisation, place names and the vector model of :mod:`hotline.repeats`."""

from __future__ import annotations

import numpy as np

from hotline.repeats import TextModel, normalise_text, place_names
from hotline.repeats.places import compare_places, extract_places
from hotline.repeats.vectors import gram_features
from tests.unit.repeats_corpus import CORPUS, corpus_model


def test_width_case_and_punctuation_are_folded() -> None:
    assert normalise_text("ＡＢＣ１２３，魅力之城！") == "abc123 魅力之城"


def test_greetings_and_thanks_are_removed_but_places_kept() -> None:
    text = "尊敬的胡书记：您好！A市A3区茶场村五组何时拆迁？谢谢！"
    assert normalise_text(text) == "a市a3区茶场村五组何时拆迁"


def test_masked_numbers_and_links_are_removed() -> None:
    assert (
        normalise_text("身份证号*****************，见https://baidu.com/x 家住")
        == "身份证号 见 家住"
    )


def test_place_names_end_in_a_place_word() -> None:
    names = place_names("A5区劳动东路魅力之城小区临街门面烧烤夜宵摊")
    assert names == {"劳动东路", "魅力之城"}


def test_phrases_and_generic_words_are_not_names() -> None:
    assert place_names("我们小区附近的道路，餐馆导致大量油烟排入小区") == set()


def test_one_name_inside_another_is_the_same_place() -> None:
    first = extract_places("万科魅力之城小区底层门店深夜经营")
    second = extract_places("A5区劳动东路魅力之城小区油烟扰民")
    assert compare_places(first, second).shared == "魅力之城"


def test_two_estates_in_two_titles_are_different_places() -> None:
    first = extract_places("A5区劳动东路魅力之城小区临街餐馆油烟扰民")
    second = extract_places("A3区看云路润芳园小区临街餐馆油烟扰民")
    comparison = compare_places(first, second)
    assert comparison.shared is None
    assert comparison.other_district and comparison.other_place


def test_a_generic_name_in_two_districts_is_not_shared() -> None:
    first, second = extract_places("A3区实验小学门口拥堵"), extract_places("A4区实验小学门口拥堵")
    assert compare_places(first, second).shared is None


def test_gram_features_are_stable_numbers() -> None:
    config = TextModel.default_config()
    features = gram_features("魅力之城", config)
    assert len(features) == 3 + 2  # three bigrams, two trigrams
    assert np.array_equal(features, gram_features("魅力之城", config))
    assert features.max() < config.n_features


def test_vectors_have_unit_length() -> None:
    model = corpus_model()
    matrix = model.vectorize([body for _, _, body in CORPUS])
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)


def test_a_stored_model_scores_exactly_alike() -> None:
    model = corpus_model()
    loaded = TextModel.from_bytes(model.to_bytes())
    assert loaded.fingerprint == model.fingerprint
    text = CORPUS[0][2]
    assert np.array_equal(loaded.vector_row(text)[1], model.vector_row(text)[1])
