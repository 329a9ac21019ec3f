from __future__ import annotations

import numpy as np
import pytest

from chatbot.triage.context import NEGATED_PREFIX, clauses, mark_negated, normalise, strip_idioms, strip_negated
from chatbot.triage.languages import detect_language, foreign_flags
from chatbot.triage.redflags import BY_NAME, FLAGS, LEVELS, level_of
from chatbot.answer.safety import CRISIS_NOTICE, MAX_QUESTION_CHARS, check_question, emergency_notice, same_day_notice
from chatbot.triage.assess import assess, model_input
from chatbot.triage.model import features, load_model
from chatbot.triage.risk_history import history_flags


def level(text: str, history=None) -> str:
    return assess(text, history).level


@pytest.mark.parametrize(
    "message, expected_level, expected_flag",
    [
        ("my back hurts and I suddenly can't feel my legs or control my bladder", "emergency", "cauda_equina"),
        ("my back hurts and I can't pee", "emergency", "cauda_equina"),
        ("had back surgery 2 years ago and since this morning I can't control my bladder", "emergency", "cauda_equina"),
        ("there's a crushing pressure in my chest and it spreads to my jaw", "emergency", "chest_pain"),
        ("her lips are turning blue", "emergency", "breathing"),
        ("I want to kill myself, the pain never stops", "crisis", "self_harm"),
        ("i dont want to live like this anymore", "crisis", "self_harm"),
        ("my son banged his head on the pool edge and keeps vomiting", "emergency", "head_injury"),
        ("I swallowed a whole bottle of sleeping pills", "emergency", "overdose"),
        ("my daughter has a high fever and a stiff neck", "emergency", "meningitis"),
        ("she fainted in the kitchen and won't wake up", "emergency", "unresponsive"),
        ("my lower back has ached for a week and now I have a fever and chills", "same_day", "spinal_infection"),
        # from a regression hunt: a question word before the sign, a guess, an eye, "back in" that is not a time
        ("stroke? her face is droopy", "emergency", "stroke"),
        ("heart attack i think. help", "emergency", "chest_pain"),
        ("just lost vision in my right eye completely, like a curtain came down", "emergency", "stroke"),
        ("horse threw me onto a fence post, back in agony and my legs feel weak", "emergency", "leg_weakness"),
        ("Nach dem Bienenstich schwillt meine Zunge an", "emergency", "anaphylaxis"),
        ("J'ai avalé une plaquette entière de somnifères", "emergency", "overdose"),
        ("came off my mountain bike and landed on my back on rocks", "emergency", "major_trauma"),
        ("My tremor began a year ago and my face is drooping on one side and my speech is slurred", "emergency", "stroke"),
        ("I hurt my back a month ago and now I have numbness between my legs and cannot control my bladder",
         "emergency", "cauda_equina"),
        ("if this surgery doesnt work ill kill myself", "crisis", "self_harm"),  # a threat, not a hypothetical
        ("if nothing changes by christmas im ending it", "crisis", "self_harm"),
        ("im tired of being alive", "crisis", "self_harm"),
        ("Ich möchte sterben", "crisis", "self_harm"),
        ("Me corto los brazos cuando estoy triste", "crisis", "self_harm"),
        ("Ich habe eine ganze Packung Schlaftabletten genommen", "emergency", "overdose"),
    ],
)
def test_red_flags_in_peoples_words(message, expected_level, expected_flag):
    triage = assess(message)
    assert triage.level == expected_level and expected_flag in triage.flags


@pytest.mark.parametrize(
    "message",
    [
        "no chest pain, just a dull ache in my lower back",
        "I'm not suicidal, just tired of the tremor",
        "my dad had a stroke in 2010, am I at risk?",
        "I had a seizure as a child; could that explain my tremor now?",
        "there is no numbness in my groin and no trouble with my bladder",
        "can back pain cause shaky hands?",
        "which doctor should I see for lower back tremors",
        "this back pain is killing me, what stretches help?",
        "what if I get numbness in my groin one day?",
        "back in 2015 i had a stroke, can it cause a tremor?",
        "i lost the sight in my left eye years ago",
        "that phone bill nearly gave me a heart attack",
        "what are the signs of a heart attack",
        "came off my bike last week and grazed my knee",
        "what if i get tired of living with this pain one day?",
        # from a review: past time words, pronouns after a negation, idioms near the new patterns
        "I don't think I'm having a stroke, my hand just shakes when I hold a cup.",
        "I'm sick of living with this back pain, nothing helps",
        "I'm ending it with my physio, she's useless",
        "My face dropped when I saw the bill for the MRI",
        "My granddad lost his sight in one eye from diabetes",
        "Can a pinched nerve in the neck make you lose vision in one eye?",
        "My mum had a heart attack, we think because of stress",
    ],
)
def test_no_alarm_for_negations_past_family_hypotheticals_and_idioms(message):
    assert level(message) == "routine"


def test_a_question_about_warning_signs_is_information_not_an_alarm():
    triage = assess("when is back pain an emergency?")
    assert triage.level == "routine" and triage.about_warning_signs


def test_negated_words_are_taken_out_but_findings_stay():
    assert "chest" not in strip_negated(normalise("no chest pain but i can't pee"))
    assert "breathing" in strip_negated("he is not breathing")
    assert "fade" in strip_negated("a rash that doesn't fade")


def test_the_learned_detector_reads_negated_words_marked_and_only_as_words():
    marked = mark_negated(normalise("no chest pain but the ache is not going away and he is not breathing"))
    assert marked.split()[:3] == ["neg_no", "neg_chest", "neg_pain"] and "neg_going neg_away" in marked
    assert "he is not breathing" in marked  # a negation that is the finding stays as written
    assert model_input("no fever. i can't pee") == "neg_no neg_fever . i can't pee"
    # a clause set aside reaches the model marked too; the patterns never read it
    assert model_input("had a stroke in 2010. now my hands shake") == "ctx_had ctx_a ctx_stroke ctx_in ctx_2010 . now my hands shake"
    assert features(["ctx_stroke"])[:, : features(["x"]).shape[1] // 2].nnz == 0
    # the letters of a marked word are not read: "neg_chest neg_pain" shares no character n-gram with "chest pain"
    chars_only = features(["neg_chest neg_pain"])[:, : features(["x"]).shape[1] // 2]
    assert chars_only.nnz == 0 and features(["neg_chest neg_pain"]).nnz > 0
    assert (features(["chest pain"]).multiply(features(["neg_chest neg_pain"]))).nnz == 0


@pytest.mark.parametrize("text, modifiers", [
    ("everyone would be better off if i was gone", set()),  # a wish to be dead, not a hypothetical
    ("would anyone even notice if i wasnt here", set()),
    ("what if i get numbness in my groin?", {"hypothetical"}),
    ("so my sciatica was only on the right side for months", set()),  # "was only" is not "it was only a faint"
    ("paramedics came, it was only a faint", {"resolved"}),
    ("its gone numb down my leg", set()),
    ("the pain's all gone now", {"resolved"}),
    ("it's all gone", {"resolved"}),
    ("my balance is all gone, i keep falling", set()),  # a lost function, not an episode over
    ("it was only an hour ago i took 30 of my sleeping pills", set()),  # a time, not a reassurance
    ("he had a fit, it was just low blood sugar", {"resolved"}),
    ("what if i was gone on holiday and had a seizure", {"hypothetical"}),  # away, not dead
    ("what does saddle numbness actually feel like", {"warning_signs"}),  # what a named sign is like
    ("what's the difference between sciatica and cauda equina", {"warning_signs"}),
    ("what does numbness in my groin mean", set()),  # the writer's own symptom, told as a question
    ("what does it mean if i can't pee and my back hurts", set()),  # not a hypothetical: it is happening
    ("is it bad if i ever can't pee after my op", {"hypothetical"}),
])
def test_modifiers_read_what_the_words_do(text, modifiers):
    (clause,) = clauses(normalise(text))
    assert set(clause.modifiers) == modifiers


@pytest.mark.parametrize("reply", ["not", "not really", "not sure", "no", "never mind", "not yet"])
def test_a_reply_of_negated_words_alone_raises_nothing(reply):
    assert model_input(reply) == "" and assess(reply).level == "routine"
    assert assess("ok thanks, what about yoga?", ["what stretches help sciatica?", reply]).level == "routine"


@pytest.mark.parametrize("reply", ["not really", "no", "not sure"])
def test_a_bare_reply_adds_nothing_to_the_turn_before(reply):
    assert assess(reply, ["my back has been a bit stiff lately"]).level == "routine"
    assert assess(reply, ["my back hurts and i suddenly can't control my bladder"]).level == "emergency"  # carried


def test_someone_who_stopped_breathing_is_an_emergency():
    assert "unresponsive" in assess("my dad stopped breathing").flags
    assert assess("what should i do if someone stopped breathing?").level == "routine"  # a hypothetical


def test_marked_words_never_leak_as_plain_words():
    # each part of a hyphenated word is marked, as the word features split it
    assert mark_negated("i'm not going to self-harm") == "i'm neg_not neg_going neg_to neg_self-neg_harm"
    assert features(["neg_self-neg_harm"]).multiply(features(["self harm"])).nnz == 0


def test_the_fit_reads_a_pair_of_turns_as_run_time_does():
    # a previous turn that says it is over is not read with the new message at run time, nor in the fit
    assert model_input("now my left arm feels heavy", ["had chest pain last night but it went away"]) == "now my left arm feels heavy"


def test_a_negation_ends_where_the_writer_says_what_they_will_do():
    assert strip_negated("if this surgery doesn't work i'll kill myself") == "if this surgery i'll kill myself"
    assert strip_negated("i don't think i'm having a stroke") == "i"  # any other subject stays in the scope


def test_a_clause_ends_at_but_after_a_number():
    parts = clauses(normalise("the nurse said to ring if my temp went over 38 but tonight its 35.2 and im shaking"))
    assert [p.asserted for p in parts] == [False, True]


def test_each_half_of_a_feature_row_has_unit_length_as_the_model_was_fitted():
    from sklearn.preprocessing import normalize
    x = features(["my back hurts and i can't feel my legs", "", "neg_no neg_fever"])
    half = x.shape[1] // 2
    for part in (x[:, :half], x[:, half:]):
        lengths = np.sqrt(np.asarray(part.multiply(part).sum(axis=1)).ravel())
        assert np.allclose(lengths[lengths > 0], 1.0) and lengths[1] == 0.0
        assert abs(normalize(part) - part).max() < 1e-12


def test_feature_rows_join_the_two_halves_as_scipy_would():
    from scipy.sparse import csr_matrix, hstack
    from chatbot.triage.model import _side_by_side
    rng = np.random.default_rng(0)
    dense_left = rng.random((6, 5)) * (rng.random((6, 5)) < 0.4)
    dense_right = rng.random((6, 7)) * (rng.random((6, 7)) < 0.4)
    dense_left[2] = dense_right[2] = dense_right[4] = 0  # rows empty on one side or both
    left, right = csr_matrix(dense_left), csr_matrix(dense_right)
    joined, expected = _side_by_side(left, right), hstack([left, right]).tocsr()
    assert joined.shape == expected.shape and abs(joined - expected).max() == 0
    assert np.array_equal(joined.indices, expected.indices) and np.array_equal(joined.indptr, expected.indptr)


def test_a_present_time_cue_starts_a_new_clause_after_a_past_one():
    parts = clauses(normalise("had back surgery 2 years ago and since this morning I can't control my bladder"))
    assert [sorted(c.modifiers) for c in parts] == [["historical"], []]


def test_a_time_word_that_ends_a_sentence_stays_in_its_clause():
    assert [c.text for c in clauses(normalise("working late tonight"))] == ["working late tonight"]
    assert [c.text for c in clauses(normalise("my legs went numb, now i can't stand"))] == ["my legs went numb", "now i can't stand"]


def test_idioms_are_set_aside():
    assert "killing" not in strip_idioms("this sciatica is killing me")


def test_follow_up_is_judged_with_the_earlier_turns():
    history = [{"role": "user", "content": [{"type": "text", "text": "my lower back has been sore for a week"}]},
               {"role": "assistant", "content": "..."}]
    assert level("and now I can't pee and my groin feels numb", history) == "emergency"


def test_an_emergency_stays_until_the_user_says_it_is_over():
    history = ["i think i'm having a stroke, my face is drooping"]
    still = assess("ok what should I do while I wait?", history)
    assert still.level == "emergency" and "stroke" in still.flags
    over = assess("the paramedics checked me, it was a panic attack and I'm fine now. what causes panic attacks?", history)
    assert over.level == "routine"


@pytest.mark.parametrize(
    "message, flag",
    [
        ("me duele el pecho y no puedo respirar", "chest_pain"),
        ("je veux mourir, je n'en peux plus", "self_harm"),
        ("mein Vater ist bewusstlos und reagiert nicht", "unresponsive"),
        ("meu filho engoliu comprimidos da avó", "overdose"),
        ("ho mal di schiena e non riesco più a fare pipì", "cauda_equina"),
        ("creo que voy a terminar con mi vida, no le veo sentido a seguir viviendo", "self_harm"),
        ("franchement la vie ne vaut plus la peine", "self_harm"),
        ("ich denke daran, mir das Leben zu nehmen", "self_harm"),
        ("acho que vou acabar com a minha vida", "self_harm"),
        ("stanotte la faccio finita", "self_harm"),
        # everyday French without "ne", choking, wishes told of someone else, a stiff neck with fever, the glass test
        ("j'arrive plus du tout à respirer", "breathing"),
        ("mon fils s'étouffe avec une cacahuète", "breathing"),
        ("se está ahogando con un caramelo", "breathing"),
        ("le vieux monsieur du 3e est par terre et répond pas", "unresponsive"),
        ("ma copine m'a écrit qu'elle voulait mourir ce soir", "self_harm"),
        ("mi padre dice que quiere morirse", "self_harm"),
        ("une douleur qui me serre la poitrine depuis 20 minutes", "chest_pain"),
        ("mal au dos et j'arrive plus à faire pipi depuis hier", "cauda_equina"),
        ("fièvre à 40 et la nuque raide, la lumière me gêne", "meningitis"),
        ("ha delle macchie viola che non spariscono sotto il bicchiere", "meningitis"),
        ("mes lèvres gonflent et ma gorge serre après le gâteau", "anaphylaxis"),
    ],
)
def test_emergencies_in_other_languages(message, flag):
    assert flag in foreign_flags(normalise(message))
    assert assess(message).urgent


def test_negated_symptoms_in_other_languages_raise_nothing():
    assert foreign_flags(normalise("no tengo dolor en el pecho, solo en la espalda")) == set()
    assert foreign_flags(normalise("je n'ai pas de fièvre ni la nuque raide")) == set()


@pytest.mark.parametrize("message", [
    "ça m'étouffe ce boulot",  # an idiom of work
    "ma grand-mère voulait mourir chez elle, elle est partie paisiblement",  # where to die, not a wish to
    "il tremble depuis plus de 5 minutes",  # "plus de" is "more than", no wish or emergency word
])
def test_the_patterns_in_other_languages_stay_precise(message):
    assert foreign_flags(normalise(message)) == set()


@pytest.mark.parametrize("text, language", [
    ("me duele mucho la espalda desde hace una semana", "es"), ("chest pain", "en"), ("lumbar tremor", "en"),
    ("can bak pian cause shakey hands", "en"), ("j'ai mal au dos depuis trois jours", "fr"),
])
def test_language_detection(text, language):
    assert detect_language(text) == language


def test_every_flag_has_a_level_a_reason_and_a_source():
    for flag in FLAGS:
        assert flag.level in LEVELS[:3] and flag.reason and flag.source.count("http") >= 1
    assert level_of({"self_harm", "overdose"}) == "emergency" and level_of({"self_harm"}) == "crisis"


def test_the_shipped_model_knows_every_flag():
    model = load_model()
    assert set(model.flags) == set(BY_NAME) and 0 < model.alarm_threshold < 1


def test_the_flag_weights_are_loaded_in_the_order_a_product_reads_without_copying():
    """A Fortran-ordered weight matrix is copied (22 MB) by every sparse product: 9 ms per alarmed message."""
    model = load_model()
    assert model.flag_coef.flags["C_CONTIGUOUS"]
    x = features(["my back hurts and i can't pee"])
    assert np.allclose(model.flag_shares(x), model.flag_shares(x.toarray()))


def test_requests_for_a_diagnosis_or_a_dose_are_recognised():
    assert assess("do I have Parkinson's?").request == "diagnosis"
    assert assess("so it's cervical myelopathy, right?").request == "diagnosis"
    assert assess("how much ibuprofen can I take?").request == "dose"
    assert assess("can back pain cause shaky hands?").request == ""


def test_emergency_notice_names_numbers_reason_and_what_to_do():
    notice = emergency_notice(assess("crushing pain in my chest"))
    assert all(number in notice for number in ("112", "911", "999"))
    assert BY_NAME["chest_pain"].reason in notice and BY_NAME["chest_pain"].advice in notice


def test_self_harm_leads_with_a_crisis_line():
    notice = emergency_notice(assess("I keep thinking about ending my life"))
    assert notice.startswith(CRISIS_NOTICE) and "988" in notice


def test_same_day_notice_says_today():
    assert "today" in same_day_notice(assess("back pain with a fever since yesterday"))


@pytest.mark.parametrize(
    "question, fragment",
    [("", "type a question"), ("   \n\t", "type a question"), ("x" * (MAX_QUESTION_CHARS + 1), "characters long"),
     ("hello\x00world", "control characters"), ("bell\x07", "control characters"), (None, "as text"), (42, "as text")],
)
def test_unusable_questions_get_a_helpful_message(question, fragment):
    assert fragment in check_question(question)


@pytest.mark.parametrize("question", ["what is a tremor?", "tremor\nin my back", "¿temblor? 背中の震え 🙂", "<script>alert(1)</script>"])
def test_usable_questions_pass(question):
    assert check_question(question) is None


def test_a_clause_read_alone_needs_the_higher_clause_bar(tmp_path):
    import dataclasses
    model = load_model()
    assert model.clause_threshold is not None and model.clause_threshold >= model.alarm_threshold
    texts = ["my back hurts and i suddenly cannot control my bladder", "my back hurts"]
    alarm = model.alarm(features(texts[:1]))[0]
    # a bar just above this clause's alarm silences it as a clause, never as the whole message
    strict = dataclasses.replace(model, clause_threshold=min(1.0, alarm + 1e-6))
    assert not strict.detect(texts, whole=1)[0] and strict.detect(texts[:1], whole=0)[0]
    assert model.detect(texts[:1])[0] == model.detect(texts[:1], whole=0)[0]
    strict.save(tmp_path / "m.npz")
    load_model.cache_clear()
    try:
        assert load_model(tmp_path / "m.npz").clause_threshold == pytest.approx(strict.clause_threshold)
    finally:
        load_model.cache_clear()


def test_a_clause_alone_alarms_only_where_the_whole_message_is_not_plainly_ordinary(monkeypatch):
    import chatbot.triage.model as triage_model
    model = load_model()
    texts = ["i want to kill myself tonight", "my back hurts . i want to kill myself tonight"]
    whole = float(model.alarm(features(texts[1:]))[0])
    monkeypatch.setattr(triage_model, "CLAUSE_NEEDS_WHOLE", whole - 1e-6)
    assert model.detect(texts, whole=1)[0]
    monkeypatch.setattr(triage_model, "CLAUSE_NEEDS_WHOLE", whole + 1e-6)
    assert not model.detect(texts, whole=1)[0]


def test_a_saved_model_reads_back_with_the_same_alarms_and_flags(tmp_path):
    import json

    model = load_model()
    model.save(tmp_path / "m.npz")
    load_model.cache_clear()
    try:
        again = load_model(tmp_path / "m.npz")
        texts = ["my back hurts and i suddenly cannot control my bladder", "i took 30 of my sleeping pills",
                 "what stretches help sciatica", "my dad's face is drooping on one side"]
        x = features(texts)
        assert np.array_equal(again.alarm(x), model.alarm(x)) and np.array_equal(again.crisis(x), model.crisis(x))
        assert again.detect(texts) == model.detect(texts)
        with np.load(tmp_path / "m.npz") as stored:  # weights of another shape: refused with what to run
            parts = {name: stored[name] for name in stored.files}
        for name in ("alarm", "crisis", "flag"):  # one head short, or all of them narrower than the features
            bad = {**parts, name: parts[name][:-1]}
            np.savez(tmp_path / "bad.npz", **bad)
            with pytest.raises(ValueError, match="fit_triage"):
                load_model(tmp_path / "bad.npz")
        half = {**parts, **{name: parts[name][: len(parts[name]) // 2] for name in ("alarm", "crisis", "flag")}}
        np.savez(tmp_path / "bad.npz", **half)
        with pytest.raises(ValueError, match="fit_triage"):
            load_model(tmp_path / "bad.npz")
        parts["meta"] = np.array(json.dumps({**json.loads(str(parts["meta"])), "format": 3}))
        np.savez(tmp_path / "old.npz", **parts)
        with pytest.raises(ValueError, match="format 3"):
            load_model(tmp_path / "old.npz")
    finally:
        load_model.cache_clear()


@pytest.mark.parametrize("message", [
    "I've had low back pain for years since a skiing fall in my twenties, nothing broken back then. These days I sit "
    "at a desk all day, my wife keeps telling me to get a standing desk and my brother swears by yoga. Lately my hands "
    "are a bit shaky in the evenings and I drink a lot of coffee. Which doctor should I see first about the tremor?",
    "My daughter is 15 and plays netball four times a week. Her coach says her lower back is tight and she gets a "
    "little shaky after long matches, but she's eating and sleeping fine and her mood is good. We tried heat packs "
    "and stretching. Is there any exercise that helps a back tremor like that?",
])
def test_long_ordinary_stories_raise_no_alarm(message):
    assert assess(message).level == "routine", assess(message)


# --- other languages' time words, episodes that are over, idioms; histories that are the red flag (fifth session) ---

@pytest.mark.parametrize("text, modifiers", [
    ("j'ai fait un AVC il y a 8 ans, bien récupéré, maintenant j'ai mal au cou le matin", [["historical"], []]),
    ("tive um AVC há 7 anos, recuperei totalmente", [["historical"]]),
    ("hice una sobredosis hace 12 años, ahora estoy bien", [["historical"], []]),
    ("mio padre ha avuto un ictus anni fa, ora gli tremano le mani", [["historical"], []]),
    ("vor 5 Jahren hatte ich einen Schlaganfall, aber jetzt habe ich Rückenschmerzen", [["historical"], []]),
    ("mio figlio ha 3 anni e ha avuto una convulsione", [[]]),  # an age, not a time ago
    ("me duele mucho la espalda desde hace una semana", [[]]),  # "desde hace": it goes on
    ("ich habe seit 2 Jahren Rückenschmerzen", [[]]),
    ("no hospital disseram que não foi nada grave, já está em casa", [["resolved"]]),
    ("è passato tutto, era solo un attacco di panico", [["resolved"]]),
    ("hace dos meses que quiero morirme", [[]]),  # "hace ... que": it goes on
    ("il y a des mois que je pense au suicide", [[]]),
])
def test_time_words_and_endings_in_other_languages(text, modifiers):
    assert [sorted(c.modifiers) for c in clauses(normalise(text))] == modifiers


@pytest.mark.parametrize("message", [
    "j'ai fait un AVC il y a 8 ans, bien récupéré, maintenant j'ai mal au cou le matin",
    "hice una sobredosis hace 12 años, ahora estoy bien",
    "mon patron va me tuer si je prends encore un jour d'arrêt pour mon dos",
    "essa fisioterapeuta vai me matar com esses exercícios",
])
def test_past_episodes_and_idioms_in_any_language_raise_nothing(message):
    assert level(message) == "routine"


@pytest.mark.parametrize("message, history", [
    ("tudo bem, a ambulância veio, no hospital disseram que não foi nada grave, já está em casa", ["meu pai caiu e não acorda"]),
    ("l'ambulance est venue, ils ont dit que c'était une hypoglycémie, elle va bien maintenant", ["ma mère ne répond plus"]),
    ("è passato tutto, i paramedici l'hanno controllata ed era solo un attacco di panico", ["mia moglie non riesce a respirare"]),
])
def test_an_emergency_said_to_be_over_in_another_language_is_over(message, history):
    assert level(history[0]) == "emergency"
    assert level(message, history) == "routine"


@pytest.mark.parametrize("message", [
    "je vais me tuer ce soir", "vou me matar", "elle ne veut plus vivre, elle me l'a dit ce soir",
    "j'ai déjà écrit des lettres d'adieu", "i wrote goodbye letters to my kids last night",
])
def test_suicide_in_the_words_the_idioms_borrow_still_gets_the_crisis_line(message):
    assert "self_harm" in assess(message).flags


def test_the_rest_of_a_message_that_says_it_is_over_is_still_read():
    assert "chest_pain" in assess("the paramedics said it was a panic attack but i still have chest pain").flags
    assert level("the bleeding stopped but now i can't feel my legs") == "emergency"


@pytest.mark.parametrize("message, flag", [
    ("kidney transplant 2 years ago, on immunosuppressants, new back pain thats constant", "spinal_infection"),
    ("had lung cancer 2 yrs ago, in remission, new ache in my spine for 3 weeks", "possible_malignancy"),
    ("treated for lymphoma 4 years ago, new back pain at night", "possible_malignancy"),
    ("had bowel cancer 3 years ago and my lower back has been aching for a month", "possible_malignancy"),
    ("my dad had prostate cancer and now his back hurts at night", "possible_malignancy"),
])
def test_a_history_that_is_itself_the_red_flag_is_read(message, flag):
    (parts,) = [clauses(strip_idioms(normalise(message)))]
    assert flag in history_flags(parts)
    assert flag in assess(message).flags and level(message) == "same_day"


@pytest.mark.parametrize("message", [
    "my mum had breast cancer, i have back pain from gardening",  # someone else's history, my pain
    "could my back pain be cancer?", "do i have cancer? my back hurts", "is back pain a sign of cancer",
    "i had cancer as a kid, i had back pain as a teen too",  # both over
    "no history of cancer, back pain for 2 weeks after lifting",
    "what are the side effects of chemo for back pain patients",
    "hiv test came back negative, back pain for a week",  # no weak immune system (the learned detector may still ask for a doctor today)
])
def test_a_mention_of_cancer_or_hiv_is_not_a_history_of_it(message):
    assert history_flags(clauses(strip_idioms(normalise(message)))) == set()


@pytest.mark.parametrize("message, flag", [
    ("no point booking physio, i wont be around much longer anyway if you get what i mean", "self_harm"),
    ("im saving up my tramadol, got about 40 now, just in case i decide", "self_harm"),
    ("wifes had 2 fits back to back and hasnt woken up between them", "seizure"),
    ("came off my motorbike at about 50mph, helmets cracked, my neck hurts", "major_trauma"),
    ("plötzlich reißender Schmerz im Rücken bis in den Bauch, mir ist schwindlig", "aortic_aneurysm"),
])
def test_red_flags_a_third_regression_hunt_found_missed(message, flag):
    assert flag in assess(message).flags


def test_a_turn_that_takes_back_the_one_before_ends_what_it_raised():
    assert level("oops wrong chat, that was about the film we watched", ["he collapsed and isnt breathing"]) == "routine"
    # taking back the turn before is not taking back this one
    assert level("wrong chat sorry, but now i cant feel my legs at all", ["my back hurts"]) == "emergency"
    assert level("ok what should I do now", ["he collapsed and isnt breathing"]) == "emergency"
    # "sorry, I mean ..." corrects a detail and keeps the emergency (found by a review)
    assert level("sorry i mean what should i do", ["my dad collapsed and isnt breathing"]) == "emergency"
    assert level("sorry i meant ibuprofen not paracetamol", ["i took a whole box of paracetamol"]) == "emergency"
    assert level("sorry but i mean it", ["i want to end it all"]) == "crisis"


def test_a_blocked_nose_is_not_a_breathing_emergency():
    assert "breathing" not in assess("i cant breathe through my nose, its just a cold").flags
    assert "breathing" in assess("i cant breathe and my lips are going blue").flags


def test_what_if_one_day_in_portuguese_and_spanish_is_a_hypothetical():
    for text in ("se eu sentir dormência na virilha um dia, o que devo fazer?", "qué hago si un día no puedo orinar"):
        assert [sorted(c.modifiers) for c in clauses(normalise(text))] == [["hypothetical"]]


@pytest.mark.parametrize("message, flag", [
    ("my toddler swallowed a button battery off the remote", "overdose"),
    ("our 2 year old got into the cupboard and drank some bleach", "overdose"),
    ("my 4 yr old nephew ate a handful of his grandad's blood pressure tablets", "overdose"),
    ("la niña se tomó lejía del baño", "overdose"),
    ("numb where i sit on my bike seat and my back is killing me", "cauda_equina"),
    ("lower back agony and my bits feel dead, like no feeling at all", "cauda_equina"),
    ("mi familia estaría mejor sin mí", "self_harm"),
    ("honestement ils seraient mieux sans moi", "self_harm"),
])
def test_red_flags_a_fourth_check_found_missed(message, flag):
    assert flag in assess(message).flags


@pytest.mark.parametrize("message, history", [
    ("my brother threw a right fit about the parking at the hospital", None),
    ("my boss nearly had a fit when he saw the invoice", None),
    ("my laptop keeps having fits when i open the spreadsheet", None),
    ("what does sepsis look like in children?", None),
    ("no tengo fiebre ni dolor en el pecho, solo me duele la espalda al agacharme", None),
    ("je ne pense pas du tout au suicide, j'ai juste mal au dos", None),
])
def test_idioms_negations_and_reassurance_raise_nothing(message, history):
    assert level(message, history) == "routine"


@pytest.mark.parametrize("message", [
    "Nunca he tenido convulsiones, pero me tiembla la mano.",
    "hice una sobredosis hace 12 años, ahora estoy bien, pero me duele la espalda",
])
def test_no_urgent_alarm_for_negated_or_past_signs_in_other_languages(message):
    # the learned detector, fitted on few ordinary messages in other languages, may still ask for a doctor
    # today on the back pain or the shaking (docs/safety.md, "Known weaknesses"); never an emergency or crisis
    assert not assess(message).urgent


@pytest.mark.parametrize("message", [
    # a review of this session's rules found each of these set aside or missed by a first version of them
    "The paramedics checked him over and said it was a panic attack. An hour later he collapsed and was not breathing.",
    "A&E sent me home with painkillers for my back. Last night I wet myself and my legs went numb.",
    "I took a whole packet of paracetamol last night. I feel fine now.",
    "my husband has crushing chest pain and is sweating, he says no need to go to hospital",
    "111 told me its not safe, i took 40 paracetamol",
    "Ich wurde gestern aus der Psychiatrie entlassen und will nicht mehr leben",
    "Me dieron el alta ayer y quiero morirme",
    "È passato un giorno da quando ho preso 40 pillole",
    "Il est rentré à la maison hier et ce matin il ne respire plus",
    "Ich denke immer noch an Selbstmord",
    "No sé qué hacer, quiero morirme",
    "no tengo trabajo ni dinero y quiero morirme",
    "Hace mucho tiempo que quiero morir",
    "Hace un mes que no puedo orinar y me duele la espalda",
    "my daughter is having a fit at the moment, what do I do",
    "my baby had a fit when her temperature spiked",
    "she had a fit when she saw me and now she won't wake up",
    "what does a stroke look like? my dad's face is drooping and he can't lift his arm",
    "my mum (aged 82) collapsed and isn't breathing",
    "Yo iba a matarme",
    "Me tomé hoy todas las pastillas de mi madre",
])
def test_the_new_rules_set_aside_no_emergency(message):
    assert assess(message).urgent


@pytest.mark.parametrize("message", [
    "I'm collecting my meds from the pharmacy tomorrow, can I take them with food?",
    "my foot falls asleep where i sit at my desk",
    "Rolled my ankle running in 40 mph wind yesterday, it's swollen",
    "my helmet's cracked, should i replace it?",
    "my dog had cancer and my back hurts from lifting him",
])
def test_the_new_patterns_stay_precise(message):
    assert level(message) == "routine"



@pytest.mark.parametrize("clause", [
    # a body that cannot pee, breathe, move, feel or wake: the negation is the finding, in every language read
    "mum passed out, not coming round", "she's making no sense since lunch",
    "desde esta mañana no consigo mear", "nao sinto as pernas", "kann ich nicht pinkeln", "non sto in piedi",
    "je ne sens plus mes jambes", "il ne respire pas", "j'arrive pas à respirer", "il est sans connaissance",
    "non riesco a respirare", "vorrei non svegliarmi", "je me suis fait dessus sans rien sentir venir",
    "des taches qui ne disparaissent pas sous le verre",
    # what does not stop or pass, and who does not remember or know those near
    "ça n'arrête pas de saigner", "la douleur ne passe pas", "il ne se souvient pas de la chute",
    "elle ne me reconnaît plus", "no para de sangrar", "mi padre no me reconoce", "não para de sangrar",
    "non smette di sanguinare", "es hört nicht auf zu bluten", "he doesn't remember the fall",
])
def test_negations_that_are_the_finding_stay_unmarked(clause):
    assert NEGATED_PREFIX not in mark_negated(normalise(clause))


@pytest.mark.parametrize("clause, marked", [
    ("no tengo fiebre", "neg_fiebre"), ("pas de fièvre", "neg_fièvre"), ("je ne peux pas dormir", "neg_dormir"),
    ("non ho febbre", "neg_febbre"), ("ich habe kein fieber", "neg_fieber"), ("no puedo dormir por el dolor", "neg_dormir"),
    ("je ne sens pas de douleur", "neg_douleur"), ("il n'y a pas de sang", "neg_sang"),
])
def test_ordinary_negations_in_other_languages_stay_marked(clause, marked):
    assert marked in mark_negated(normalise(clause)).split()


def test_a_pattern_counts_only_where_the_learned_detector_reads_some_alarm():
    import dataclasses

    shipped = load_model()
    zeros = np.zeros_like(shipped.alarm_coef)
    quiet = dataclasses.replace(shipped, alarm_coef=zeros, alarm_intercept=-50.0, crisis_coef=zeros, crisis_intercept=-50.0)
    unsure = dataclasses.replace(quiet, alarm_intercept=0.0)  # 0.5 for every text: under the alarm bar, over the gate
    message = "my back hurts and i suddenly can't control my bladder"
    assert assess(message, model=quiet).level == "routine"
    assert assess(message, model=unsure).flags == ("cauda_equina",)
    # self-harm's pattern is gated on the crisis probability: 0.18 is under the crisis bar, over the gate
    assert assess("i want to kill myself", model=quiet).level == "routine"
    assert assess("i want to kill myself", model=dataclasses.replace(quiet, crisis_intercept=-1.5)).level == "crisis"


def test_more_than_is_not_a_negation_in_french():
    assert "neg_" not in mark_negated(normalise("il tremble par terre depuis plus de 5 minutes"))
    assert "neg_douleur" in mark_negated(normalise("plus de douleur depuis hier"))


@pytest.mark.parametrize("message", [
    "j'ai fait un AVC il y a 6 ans, j'ai bien récupéré, et maintenant j'ai un petit tremblement de la main",
    "aucune douleur dans la poitrine, c'est entre les omoplates quand je reste au bureau",
    "j'ai fait une crise d'épilepsie à 15 ans, plus rien depuis, je peux prendre du tramadol ?",
    "au cas où ma mère tombe et se cogne la tête, on fait quoi ?",
    "comment savoir si un coup sur la tête est grave chez un enfant ?",
    "je suis allé aux urgences, ECG et prise de sang normaux, c'était musculaire",
])
def test_the_modifiers_of_other_languages_read_past_none_what_if_and_all_clear(message):
    assert not assess(message).urgent


@pytest.mark.parametrize("message", [
    "ma fille de 4 ans convulse depuis 5 minutes",
    "mon fils a 15 ans et il a fait une convulsion ce matin",
    "ECG normal hier mais ce matin je ne peux plus respirer",
])
def test_an_age_or_an_old_result_hides_no_emergency(message):
    assert assess(message).urgent


@pytest.mark.parametrize("message, flag", [
    # swelling of the lips, tongue or throat a few words away, either way round
    ("elle tousse et ses lèvres ont doublé de volume après le houmous", "anaphylaxis"),
    ("se le está hinchando la lengua desde que tomé la pastilla", "anaphylaxis"),
    ("die lippen sind nach dem wespenstich ganz dick geworden", "anaphylaxis"),
    # blood coughed up, vomited or spurting
    ("mon grand-père crache du sang, il en a rempli un verre", "severe_bleeding"),
    ("se cortó con el cuchillo y sale sangre a chorros", "severe_bleeding"),
    ("meu pai está vomitando sangue agora", "severe_bleeding"),
    ("mein vater hustet blut seit einer stunde", "severe_bleeding"),
    # the worst headache of one's life, blue lips, road accidents and falls from a height
    ("d'un coup le pire mal de tête de ma vie, comme un coup de massue", "stroke"),
    ("el peor dolor de cabeza de mi vida, empezó de golpe", "stroke"),
    ("il mio bambino respira male e ha le labbra viola", "breathing"),
    ("je viens d'avoir un accident de voiture, j'ai très mal à la nuque", "major_trauma"),
    ("mi hijo fue atropellado por una moto hace media hora", "major_trauma"),
    ("bin vom dach gefallen, starke schmerzen im rücken", "major_trauma"),
])
def test_more_emergencies_in_other_languages(message, flag):
    assert flag in assess(message).flags


@pytest.mark.parametrize("message", [
    "parece que fui atropelada por um caminhão, mas foi só faxina de sábado",
    "a los 20 tuve un accidente de moto fuerte y ahora me duele la espalda cuando hace frío",
    "mein nachbar ist letzten sommer vom dach gefallen, wie hebe ich richtig?",
    "war in der notaufnahme, ct ohne befund, nur prellungen. ab wann darf ich wieder sport machen?",
    "cai da escada, 2 degraus, tô bem, não bati a cabeça",
    "je ne crache pas de sang, juste une toux sèche depuis une semaine",
])
def test_the_new_patterns_in_other_languages_stay_precise(message):
    assert not assess(message).urgent


@pytest.mark.parametrize("message", [
    # killing oneself said of someone else, and jumping in front of a train or from a height
    "mi hermano dice que va a quitarse la vida esta noche",
    "ma copine m'a écrit qu'elle allait se tuer, elle répond plus",
    "la mia collega ha detto che vuole togliersi la vita",
    "minha filha disse que vai se matar",
    "a veces pienso en tirarme a las vías cuando pasa el tren",
    "ich denke ständig daran, vor den zug zu springen",
    "j'ai envie de me jeter du pont ce soir",
    "penso di buttarmi dal balcone",
    "às vezes penso em me jogar na frente de um carro",
    # the urge to hurt oneself now, "no one would miss me", life without sense, German "Suizid"
    "tengo ganas de hacerme daño ahora mismo",
    "j'ai envie de me faire du mal là",
    "ho voglia di farmi del male stasera",
    "personne ne me regretterait de toute façon",
    "si me muriera nadie me echaría de menos",
    "es hat alles keinen sinn mehr",
    "ich habe seit wochen suizidgedanken",
    "non ce la faccio più a vivere",
    "a quoi bon vivre comme ça",
])
def test_more_ways_of_saying_suicide_in_other_languages(message):
    assert "self_harm" in foreign_flags(normalise(message))


@pytest.mark.parametrize("message", [
    "mi abuelo se mata a trabajar en el campo, le duele la espalda",
    "je me tue à la tâche au boulot, j'ai mal au dos",
    "nn voglio farmi del male, sono solo stanco del mal di schiena",
    "hatte vor ewigkeiten mal suizidgedanken, ist lange her und mir geht es gut",
    "was sind warnzeichen für suizidgefahr bei jugendlichen?",
    "quali sono i campanelli d'allarme del suicidio negli anziani?",
    "me hice daño en la espalda levantando una caja",
])
def test_the_new_suicide_patterns_in_other_languages_stay_precise(message):
    assert "self_harm" not in assess(message).flags


@pytest.mark.parametrize("message", [
    "i'm not safe with myself tonight", "i don't feel safe around myself right now", "i can't keep myself safe anymore", "kms",
])
def test_not_being_safe_with_oneself_is_a_crisis(message):
    assert "self_harm" in assess(message).flags


@pytest.mark.parametrize("message", [
    "is it not safe to take ibuprofen with naproxen?", "i don't feel safe at home with him, can my back pain be from stress?",
    "im not safe to drive after these pills?",
])
def test_other_ways_of_not_being_safe_are_not_a_crisis(message):
    assert "self_harm" not in assess(message).flags
