from mt.model_input import ModelInputNormalizer


def test_moses_punctuation_normalisation_is_applied():
    norm = ModelInputNormalizer()
    assert norm("قال «مرحبا»") == 'قال "مرحبا"'
    assert norm("a  \u201cb\u201d") == 'a "b"'


def test_normalisation_is_idempotent_and_keeps_arabic_letters():
    norm = ModelInputNormalizer()
    text = "الأمم المتحدة، روسيا وإيران؟"
    assert norm(norm(text)) == norm(text)
    assert "الأمم المتحدة" in norm(text)
