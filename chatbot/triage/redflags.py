"""The red-flag taxonomy: what counts as an emergency, a crisis or a same-day problem.

Each flag names its triage level, the reason the notice gives in plain words, what to do
meanwhile, the clinical source it comes from, the words that mark a passage as being about it
(so an emergency answer quotes only passages on its red flag), and a few precise English
patterns.  The patterns are a floor under the learned detector (``triage_model``), never the
main signal: they are written for the unmistakable phrasings only.

Levels, most urgent first: ``emergency`` (call the emergency number now), ``crisis`` (suicide
or self-harm: a crisis line first), ``same_day`` (see a doctor today), ``routine``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("emergency", "crisis", "same_day", "routine")
URGENT_LEVELS = ("emergency", "crisis")  # Answer.kind == "urgent" exactly for these


@dataclass(frozen=True)
class RedFlag:
    name: str
    level: str
    reason: str   # completes "This may be a medical emergency: ..." (or "See a doctor today: ...")
    advice: str   # what to do while help comes; "" when the notice says it all
    source: str   # the clinical guidance the flag follows
    topic: tuple[str, ...]  # words that mark a passage as being about this flag
    patterns: tuple[re.Pattern, ...] = ()


def _p(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


NICE_BACK = "NICE CKS, Back pain - low (without radiculopathy), red flags: https://cks.nice.org.uk/topics/back-pain-low-without-radiculopathy/"
NICE_SCIATICA = "NICE CKS, Sciatica (lumbar radiculopathy), red flags: https://cks.nice.org.uk/topics/sciatica-lumbar-radiculopathy/"
NHS_999 = "NHS, When to call 999: https://www.nhs.uk/nhs-services/urgent-and-emergency-care-services/when-to-call-999/"

FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "self_harm", "crisis", "thoughts of suicide or self-harm", "",
        "NHS, Help for suicidal thoughts: https://www.nhs.uk/mental-health/feelings-symptoms-behaviours/behaviours/help-for-suicidal-thoughts/; "
        "NICE CKS, Suicide risk and self-harm",
        (), _p(
            r"\b(kill(ing)?|hurt(ing)?|harm(ing)?|cut(ting)?) (myself|my ?self)\b", r"\bsuicid(e|al)\b(?! (prevention|research|rates?))",
            r"\b(end|ending|take|taking) (it all|my (own )?life)\b", r"\b(want|going|gonna|plan(ning)?) to end it\b",
            r"\b(don'?t|do not|no longer) (want|wanna) to (be alive|live|wake up|be here)( any ?more)?\b",
            r"\b(want|wanna|wish i (could|was|were)) (to )?(die|be dead)\b", r"\bbetter off (dead|without me)\b",
            r"\bno reason to (live|go on)\b", r"\bself[- ]harm(ing)?\b",
            # said as the whole of a clause: "sick of living with this pain" is about the pain
            r"\b(tired|sick) of (being alive|living)( any ?more)?\s*([.!?,]|$)", r"\b(i'm|i am) ending it( all)?\s*([.!?,]|$)",
            # a goodbye said in passing, and pills set aside (NICE CKS suicide risk: making plans, stockpiling medicines)
            r"\bi won't be (around|here) (much |for )?(longer|long)\b(?! (at|in|on) (this|the|my|our) )",
            r"\b(saving up|stockpiling|hoarding|stashing|squirrelling away|squirreling away) (my |all my |some |a few of my )?(pills|tablets|meds|medication|"
            r"tramadol|codeine|paracetamol|oxy\w*|morphine|sleeping pills|co-?codamol)\b(?! (for|in case of) (\w+ ){0,3}(trip|holiday|flight|travel|journey|vacation))",
            r"\b(goodbye|farewell) (letters?|notes?) (to|for) (my|the) (kids|children|family|wife|husband|partner|parents|mum|mom|dad|son|daughter)\b",
            # not safe with oneself (NHS: "if you do not feel you can keep yourself safe"), and chat words for killing oneself
            r"\b(i'm|i am|he's|she's|he is|she is) not safe\b(?! (to|for|at|in|on|from|around (him|her|them|my \w+))\b)|"
            r"\b(not|don't|do not|doesn't|does not|can't|cannot) (feel |keep )?safe (with|around|from) (myself|himself|herself|me)\b|"
            r"\bcan't keep (myself|himself|herself) safe\b|\bkms\b|\bunalive (myself|me|himself|herself)\b",
        )),
    RedFlag(
        "cauda_equina", "emergency",
        "loss of bladder or bowel control, or numbness around the groin, which with back pain can mean pressure "
        "on the nerves at the base of the spine (cauda equina syndrome)",
        "Do not wait to see if it passes: this needs a scan and treatment within hours.",
        f"{NICE_BACK}; {NICE_SCIATICA}; NHS, Cauda equina syndrome: https://www.nhs.uk/conditions/cauda-equina-syndrome/",
        ("bladder", "bowel", "incontinence", "groin", "saddle", "cauda equina", "urinat"), _p(
            r"\b(can'?t|cannot|unable to|trouble|lost|losing|loss of|no)\b.{0,40}\b(control|controlling|hold|holding)( of)? (my |his |her |the )?(bladder|bowels?|pee|urine|poo)",
            r"\b(bladder|bowel) (control|incontinence|accident)", r"\b(wet|wetting|soiled|pooed|peed) (myself|himself|herself)\b",
            r"\bsaddle (area )?(numb|anaesthesia|anesthesia)", r"\bcauda equina\b(?! syndrome\?)",
            r"\bnumb(ness)?( \w+){0,4} (groin|genitals|inner thighs?|buttocks|bum|between (my|the|his|her) legs|private)",
            r"\b(groin|genitals|inner thighs?|buttocks|bum|down there)( \w+){0,4} (numb|no feeling|can'?t feel)",
            # everyday words for the saddle area (a third regression hunt, 2026-12-07)
            r"\b(no feeling|can'?t feel|numb\w*|pins (and|n|&) needles)\b( [\w']+){0,6} (where (i|you|he|she|we) sit|"
            r"(bike|bicycle) seat|saddle area|down there|my bits|his bits|her bits|privates|private parts|nether regions|back passage)\b",
            r"\b(where (i|you|he|she) sit|(bike|bicycle) seat area|my bits|down below)( [\w']+){0,4} (is |are |feels? |gone |going )?(numb|asleep|sleeping|dead|tingly)\b",
            r"\b(can'?t|cannot|unable to) (pee|urinate|wee)\b",
        )),
    RedFlag(
        "leg_weakness", "emergency", "weakness or loss of feeling in the legs that is new or getting worse",
        "Do not try to walk it off; lie still if moving makes it worse.",
        f"{NICE_SCIATICA} (severe or progressive neurological deficit)",
        ("weakness", "numbness", "paralysis", "legs", "walk"), _p(
            r"\b(can'?t|cannot|unable to) (feel|move) (my|his|her|both|either) (legs?|feet)\b",
            r"\b(legs?|knees?) (keep )?(giving|gave|give) (way|out)\b", r"\b(can'?t|cannot|unable to) (stand|walk) (up )?(any ?more|now)\b",
        )),
    RedFlag(
        "major_trauma", "emergency", "a serious injury, which can damage the spine or organs even when it does not hurt much yet",
        "Keep still, especially the neck and back, until help arrives.",
        f"{NICE_BACK} (fracture after major trauma); {NHS_999}",
        ("injury", "fracture", "trauma", "accident"), _p(
            r"\b(car|motorbike|bike|motorcycle|road traffic) (crash|accident|collision)\b", r"\b(hit|knocked (down|over)) by a (car|bus|truck|van|lorry)\b",
            r"\bfell (off|from) (a |the )?(roof|ladder|balcony|horse|scaffold\w*|height)\b",
            r"\b(came|fell|was thrown|got thrown|flew) off (my|his|her|the|a) ([\w-]+ ){0,2}(bike|bicycle|motorbike|motorcycle|horse|scooter)\b"
            r".{0,40}\blanded (on|onto) (my|his|her) (back|head|neck|spine)\b",
            # from a third regression hunt (2026-12-07, fifth session): a high speed, a broken helmet
            r"\b(came off|crashed|was thrown|got thrown|flipped|fell off)\b.{0,60}\b(at|doing|going) (about |around |over |nearly |roughly )?\d{2,3} ?(mph|km/?h|kph)\b|"
            r"\b(at|doing|going) (about |around |over |nearly |roughly )?\d{2,3} ?(mph|km/?h|kph)\b.{0,60}\b(came off|crashed|was thrown|got thrown|flipped|fell off)\b",
            r"\b(came off|crashed|fell off|was thrown|got thrown|accident|collision)\b.{0,80}\b(helmet('s|s| is| was)? (cracked|split|smashed|in pieces)|"
            r"(cracked|split|smashed) (my |his |her |the )?helmet)\b",
        )),
    RedFlag(
        "aortic_aneurysm", "emergency", "sudden severe pain in the back or belly, which can be a tear in the body's main artery",
        "Lie down and keep as still as you can.",
        f"{NICE_BACK}; NHS, Abdominal aortic aneurysm: https://www.nhs.uk/conditions/abdominal-aortic-aneurysm/",
        ("aorta", "aortic", "aneurysm"), _p(
            r"\b(tearing|ripping) (pain|feeling)\b", r"\b(pulsing|pulsating|throbbing) (lump|mass|feeling) in (my|his|her) (belly|stomach|tummy|abdomen)\b",
        )),
    RedFlag(
        "stroke", "emergency", "possible signs of a stroke (a face, arm or speech problem that came on suddenly)",
        "Note the time the symptoms started; do not eat or drink anything.",
        "NHS, Stroke symptoms (FAST): https://www.nhs.uk/conditions/stroke/symptoms/",
        ("stroke", "speech", "face", "weakness"), _p(
            r"\b(face|mouth|smile) (is |has |looks )?(all )?(drooping|droops|drooped|droopy|numb|lopsided|gone lopsided|gone droopy)",
            # NHS: sudden loss of sight in one eye is a stroke sign too (sudden: gradual loss is glaucoma, diabetes...)
            r"\b(suddenly|just|all of a sudden) (lost|lose|losing|gone|went) (all )?(the |my |his |her )?(vision|sight) (in|of|from) (one|my|his|her|the|an) (left |right )?eye\b",
            r"\b(suddenly|just) (went|gone|going) blind in (one|my|his|her|the) (left |right )?eye\b", r"\bcurtain (came|coming|come) down\b",
            r"\bslurr(ed|ing) (speech|words|his words|her words|my words)|\bspeech (is |became |went )?slurred",
            r"\bhaving a (stroke|mini[- ]stroke|tia)\b", r"\bworst headache\b", r"\bthunderclap headache\b",
        )),
    RedFlag(
        "chest_pain", "emergency", "chest pain or pressure, which can be a heart attack",
        "Sit down and rest while you wait; do not drive yourself.",
        f"{NHS_999}; NHS, Chest pain: https://www.nhs.uk/conditions/chest-pain/",
        ("chest", "heart"), _p(
            r"\bchest (pain|pressure|tightness|is tight|feels tight|hurts|ache)",
            r"\b(pain|pressure|tightness|crushing|squeezing)( \w+){0,3} (in|on|across) (my |the |his |her )?chest\b",
            r"\bhaving a heart attack\b",
            r"\b(i think|think|pretty sure|i reckon|i'm sure) (it's|its|it is|this is|that's|i'm|he's|she's|he is|she is|i am) (having )?a heart attack\b",
            r"\bheart attack\W+i think\W*(help\b|$)", r"\bheart attack\W+(help|please help)\b",
        )),
    RedFlag(
        "breathing", "emergency", "serious trouble breathing", "Sit upright; loosen tight clothing.", NHS_999,
        ("breath", "breathing"), _p(
            r"\b(can'?t|cannot|can not|unable to|struggling to) (catch (my|his|her) )?breathe?\b(?! (through|out of) (my|his|her|the|one) (nose|nostril))",
            r"\b(lips|face) (are |is )?(turning |turned |going |gone )?(blue|grey|gray)\b", r"\bchoking\b", r"\bgasping for (air|breath)\b",
        )),
    RedFlag(
        "anaphylaxis", "emergency", "a severe allergic reaction (anaphylaxis)",
        "Use an adrenaline auto-injector (EpiPen) now if there is one; lie down with the legs raised unless breathing is hard.",
        "NHS, Anaphylaxis: https://www.nhs.uk/conditions/anaphylaxis/",
        ("allerg", "anaphyla"), _p(
            r"\banaphyla\w*", r"\b(throat|tongue|lips?) (is |are )?(swelling|swollen|closing|closing up)\b",
        )),
    RedFlag(
        "sepsis", "emergency", "an infection with signs of sepsis, which needs treatment within the hour", "",
        "NICE NG51, Sepsis: recognition, diagnosis and early management: https://www.nice.org.uk/guidance/ng51; NHS, Sepsis",
        ("sepsis", "infection"), _p(r"\bsepsis\b", r"\bseptic\b", r"\brash (that )?(doesn'?t|does not|won'?t) fade\b")),
    RedFlag(
        "seizure", "emergency", "a seizure (fit)",
        "Do not hold the person down or put anything in their mouth; move hard objects away and time the seizure.",
        "NHS, What to do if someone has a seizure: https://www.nhs.uk/conditions/epilepsy/what-to-do-if-someone-has-a-seizure-fit/",
        ("seizure", "epilep", "fit"), _p(r"\b(having|had) (a )?(seizure|fit|convulsions?)\b", r"\b(seizing|convulsing)\b",
                                         # one seizure after another without coming round: NHS, call 999
                                         r"\b(fits|seizures|convulsions) (back to back|one after (another|the other))\b")),
    RedFlag(
        "head_injury", "emergency", "a head injury with warning signs", "Do not leave the person alone.",
        "NICE NG232, Head injury: assessment and early management: https://www.nice.org.uk/guidance/ng232",
        ("head injury", "concussion"), _p(
            r"\b(hit|hitting|banged|bumped|struck|knocked) (my|his|her|their|the) head\b.*\b(confus\w*|vomit\w*|threw up|thrown up|drows\w*|sleepy|pass(ed)? out|unconscious|blacked out|seizure|won'?t wake)",
            r"\bknocked (out|unconscious)\b",
        )),
    RedFlag(
        "overdose", "emergency", "a possible overdose or poisoning",
        "Keep the packet or bottle to show the ambulance crew; do not make the person sick.",
        "NHS, Poisoning: https://www.nhs.uk/conditions/poisoning/",
        ("overdose", "poison"), _p(
            r"\boverdos(ed|ing)\b", r"\b(took|taken|swallowed|ate) (way |far )?(too many|too much)( of)? (pills|tablets|meds|medicine|paracetamol)",
            r"\b(whole|entire|full) (bottle|pack|box|packet) of (pills|tablets|meds|medication|paracetamol)",
            r"(?<!\bdog )(?<!\bcat )(?<!\bpuppy )\b(swallowed|drank|ate|eaten|chewed|sucked)\b( [\w']+){0,4} (bleach|batter(y|ies)|button cells?|detergent|antifreeze|"
            r"washing (pods?|capsules?|tablets?)|laundry (pods?|capsules?)|dishwasher tablets?|magnets?|weed ?killer|rat poison|e-?liquid|vape (juice|liquid))\b",
            # a child who swallowed medicines (NHS: call 999 or 111 at once, whatever they seem)
            r"\b(toddler|child|kid|son|daughter|baby|boy|girl|([1-9]|1[0-5]) ?(yr|year)s?[- ]?old|little one|grandson|granddaughter|nephew|niece)\b.{0,60}"
            r"\b(ate|swallowed|eaten|got into|drank|chewed)\b.{0,20}\b(some of|a handful|handful|a few of|several|lots of|loads of|a bunch of|"
            r"\d+|all (of )?(the|her|his|my|your)|the whole|a whole|[\w-]+'s)\b.{0,40}\b(pills|tablets|meds|medicines?|medication|capsules|gummies|vitamins)\b",
        )),
    RedFlag(
        "unresponsive", "emergency", "someone unconscious or not responding",
        "Check they are breathing; if so, put them on their side (recovery position); if not, start CPR as the call handler tells you.",
        f"{NHS_999}; NHS, First aid: https://www.nhs.uk/conditions/first-aid/",
        ("unconscious", "faint", "collapse"), _p(
            r"\b(unconscious|unresponsive|won'?t wake up|can'?t wake (him|her|them)( up)?|not (waking up|responding|breathing))\b",
            r"\b(he|she|they|my \w+|baby|child|kid|someone|it) (has |'s |just )?(stopped|stops|stop) breathing\b",
            r"\bcollapsed\b",
        )),
    RedFlag(
        "severe_bleeding", "emergency", "heavy bleeding", "Press firmly on the wound with a clean cloth and keep pressing.",
        f"{NHS_999}; NHS, First aid: https://www.nhs.uk/conditions/first-aid/",
        ("bleeding", "blood"), _p(
            r"\b(bleeding|blood) (heavily|a lot|won'?t stop|that won'?t stop|everywhere|is spurting)", r"\b(heavy|severe|uncontrolled) bleeding\b",
            r"\b(coughing|vomiting|throwing) up blood\b",
        )),
    RedFlag(
        "acute_confusion", "emergency", "sudden confusion", "Stay with the person.",
        f"{NHS_999}; NHS, Confusion: https://www.nhs.uk/conditions/confusion/",
        ("confusion", "delirium"), _p(r"\b(suddenly|all of a sudden) (very )?(confused|not making sense|talking nonsense)\b")),
    RedFlag(
        "meningitis", "emergency", "a stiff neck with fever, which can be meningitis", "",
        "NHS, Meningitis: https://www.nhs.uk/conditions/meningitis/",
        ("meningitis",), _p(
            r"\bstiff neck\b.*\b(fever|temperature)\b", r"\b(fever|temperature)\b.*\bstiff neck\b",
        )),
    RedFlag(
        "spinal_infection", "same_day", "back pain with a fever, after injecting drugs or with a weakened immune system, "
        "which can mean an infection of the spine", "",
        f"{NICE_BACK} (suspected spinal infection)", ("infection", "fever", "abscess"), _p(
            r"\bback (pain|ache|hurts)\b.*\b(fever|temperature|chills|shivering)\b",
            r"\b(fever|temperature|chills)\b.*\bback (pain|ache|hurts)\b",
        )),
    RedFlag(
        "possible_malignancy", "same_day", "new back pain with a history of cancer, weight loss or pain at night, which a doctor should check",
        "", f"{NICE_BACK} (suspected spinal metastases or malignancy)", ("cancer", "tumour", "tumor", "metasta"), ()),
    RedFlag(
        "possible_fracture", "same_day", "back pain after a fall or strain with thin bones or long-term steroids, which can be a fracture",
        "", f"{NICE_BACK} (suspected spinal fracture)", ("fracture", "osteoporosis"), ()),
    RedFlag(
        "new_numbness", "same_day", "new numbness, tingling or weakness", "",
        f"{NICE_SCIATICA}; NHS, Pins and needles: https://www.nhs.uk/conditions/pins-and-needles/",
        ("numbness", "tingling", "pins and needles", "weakness"), ()),
)

BY_NAME = {flag.name: flag for flag in FLAGS}
NAMES = tuple(BY_NAME)


def level_of(flag_names) -> str:
    """The triage level of a set of flags: the most urgent of theirs; overdose with self-harm is an emergency."""
    levels = {BY_NAME[name].level for name in flag_names}
    for level in LEVELS:
        if level in levels:
            return level
    return "routine"
