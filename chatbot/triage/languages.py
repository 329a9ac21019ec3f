"""Messages not in English: which language, what to tell the reader, and emergencies in it.

The language is told offline by py3langid (its model ships in the wheel).  Short messages are
too short to tell, so a message counts as not English only when the detector is confident and
few of its words are English function words.  The bot reads English only: a message in Spanish,
French, German, Portuguese or Italian gets that said in its language, with the emergency
numbers; the emergencies people most need to say in any language (suicide, chest pain, not
breathing, stroke signs, unconsciousness, overdose, bladder or bowel loss with back pain,
seizures, heavy bleeding, anaphylaxis) are recognised by precise patterns in those languages,
run on every message whatever its detected language, and by the n-gram model, which was
fitted on messages in them too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

SUPPORTED = ("es", "fr", "de", "pt", "it")
_ENGLISH_WORDS = frozenset(
    "my you your he she his her it its we they them the an and or but of to on at for with from is are was "
    "were be been have has had does did can can't could would should will what how why when which who this that "
    "not back pain hurts help please i'm i've".split()  # words of other languages too ("me", "no", "a", "i", "in") are left out
)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def fold_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def detect_language(text: str) -> str:
    """An ISO 639-1 code; "en" unless the text is confidently in another language."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 3:
        return "en"
    english = sum(w in _ENGLISH_WORDS for w in words) / len(words)
    if english >= 0.2:
        return "en"
    language, confidence = _identifier().classify(text)
    return language if language != "en" and confidence >= 0.9 else "en"


def _p(*patterns: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(p) for p in patterns)


# Precise patterns over lower-cased, accent-folded text, per flag; a negation cue just before
# a match ("no tengo dolor en el pecho", "je n'ai pas de douleur") cancels it.
FOREIGN_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {
    "self_harm": _p(
        r"\bsuicid", r"\b(matarme|quitarme la vida|acabar con (todo|mi vida)|no quiero (seguir )?vivir|quiero morir(me)?|cortarme)\b",
        r"\b(me tuer|en finir|mettre fin a (mes jours|ma vie)|envie de mourir|veux mourir|me scarifi\w*|me couper les)\b",
        r"\b(selbstmord|umbringen|nicht mehr leben|sterben will|will sterben|mich ritzen|ritze mich)\b",
        r"\b(me matar|tirar (a )?minha (propria )?vida|nao quero (mais )?viver|quero morrer|me cortar|acabar com tudo)\b",
        r"\b(uccidermi|ammazzarmi|togliermi la vita|farla finita|non voglio (piu )?vivere|voglio morire|tagliarmi)\b",
        # ways of saying it that the patterns above missed (found by a helper's check, 2026-12-07), with their variants
        r"\b(no (le )?veo (el |ningun )?sentido a (seguir )?viv\w*|no vale la pena vivir|terminar con (todo|mi vida)|ya no quiero estar aqui)\b",
        r"\b(la vie ne vaut plus (la peine|rien)|(ne veux|n'ai) plus (envie de )?vivre|ne plus me reveiller|me foutre en l'?air)\b",
        r"\b(mir|mich) (selbst )?das leben (zu )?nehm\w*\b|\b(will|mochte) nicht mehr (leben|aufwachen)\b|\ballem ein ende (setzen|machen)\b",
        r"\b(acabar com a (minha )?vida|a vida (ja )?nao vale (mais )?a pena|nao aguento mais viver|tirar a (minha )?(propria )?vida)\b",
        r"\b(la )?(faccio|facciamo|fara|farei) finita\b|\bla vita non ha (piu )?senso\b|\bnon (mi )?voglio (piu )?svegliare\b",
        # a second check by a helper (2026-12-07, fourth session)
        r"\b(mochte|will|moechte) sterben\b|\bich (mochte|moechte|will) (nur noch )?tot sein\b",
        r"\bme corto (los brazos|las munecas|las piernas)\b|\bquiero desaparecer para siempre\b",
        r"\bmi taglio (le braccia|i polsi|le gambe)\b|\bje me coupe (les bras|les poignets)\b|\beu me corto\b",
        r"\b(serai(en)?t|seront|serions) mieux sans moi\b|\bestar(i|í)an mejor sin m(i|í)\b|\b(estariam|ficariam|estaria) melhor sem mim\b|"
        r"\bstarebbero meglio senza di me\b|\bohne mich (besser dran|besser)\b",
        r"\bseria melhor (eu )?morrer\b|\bseria mejor morir(me)?\b|\bmieux vaudrait (que je meure|mourir)\b|\bsarebbe meglio morire\b|"
        r"\b(ware|waere) (ich )?besser tot\b|\bnicht mehr aufwachen\b",
        # a third check by a helper (2026-12-07, fifth session): someone else who does not want to live, and farewell letters
        r"\bne (veut|voulait) plus vivre\b|\bno quiere (seguir )?vivir\b|\bnao quer (mais )?viver\b|\bnon vuole (piu )?vivere\b",
        r"\blettres? d'adieu\b|\bcartas? de despedida\b|\babschiedsbrief|\blettera d'addio\b|\blettere d'addio\b",
        # wishing to die told of oneself or of someone else, in any tense (a sixth session's check of French)
        # (not where to die: "elle voulait mourir chez elle")
        r"(\b(veut|voulait|voudrais|voudrait) (juste |seulement )?mourir|\b(quiere|queria|quisiera) morir(se)?|\b(quer|queria) morrer|"
        r"\b(vuole|voleva|vorrei|vorrebbe) morire)\b(?! (chez|dans (son|sa|mon|ma)|en paix|a la maison|en casa|en paz|em casa|em paz|a casa|in pace))|"
        r"\bpour ne plus (me|se) reveiller\b|\b(wollte|mochte|moechte) (nur noch )?sterben\b(?! (zu hause|daheim|in ruhe))",
        # an eighth session's train author (helper_av): killing oneself said of someone else, jumping in front of a
        # train or from a height, the urge to hurt oneself now, "no one would miss me", German "Suizid"
        r"\bquitar(se|te) la vida\b|\btoglier(si|ti) la vita\b|\b(se|te) tuer\b(?! (a la tache|au travail|a petit feu|a (la|le) \w+))|"
        r"\b(se|te) foutre en l'?air\b|\b(se|te) matar\b(?! (de|a) (trabalhar|trabajar|rir|reir|estudar|estudiar))|\bmatarse\b(?! (a|de) (trabajar|reir|estudiar))|"
        r"\b(mi|me|si) (voglio |vojo |vuole )?ammazz(o|a|are|arsi|armi)\b(?! (di|dal|dalle) (lavoro|risate|fatica))|\bsuizid",
        r"\b(tirarme|tirarse|lanzarme|lanzarse|arrojarme|arrojarse) (a las vias|al (tren|metro|vacio|rio)|del (puente|edificio|balcon|tejado)|"
        r"por (la ventana|el balcon)|delante del?)\b|\b(me|se) jeter (sous|du haut|d'un pont|du pont|par la fenetre|dans le vide|devant)\b|"
        r"\bvor (den|einen|die) (zug|bus|lkw|laster|u-bahn|s-bahn|bahn) (zu )?(springen|werfen|laufen)\b|"
        r"\b(von (der|einer) brucke|vom (dach|balkon|hochhaus)) (zu )?(springen|sturzen)\b|"
        r"\b(me|se) (jogar|atirar) (na frente|debaixo|da ponte|do predio|da janela|do viaduto|nos trilhos|no rio)\b|\bjogar o carro (na frente|contra|debaixo)\b|"
        r"\b(buttarmi|buttarsi|gettarmi|gettarsi|lanciarmi|lanciarsi) (sotto|dal ponte|dal balcone|dalla finestra|dal tetto|giu)\b",
        r"\b(ganas de|quiero|necesito|voy a) hacerme dano\b|\b(envie de|veux|vais|besoin de) me faire du mal\b|"
        r"\b(will|muss|mochte) mir (selbst )?weh tun\b|\b(vontade de|quero|vou) me machucar\b|\b(voglia di|voglio|devo) farmi del male\b|"
        r"\bme estoy cortando( (otra vez|ahora|los brazos|las munecas|las piernas)|\s*[.,!]|\s*$)",
        r"\bpersonne (ne )?(me )?regretterai(t|ent)\b|\bpersonne (ne )?remarquerai(t|ent)\b|\bnadie (me )?(echaria de menos|extranaria|se daria (ni )?cuenta)\b|"
        r"\bniemand (wurde|wuerde) (mich vermissen|es merken|das merken)\b|\bninguem (sentiria|ia sentir) (a )?(minha )?falta\b|"
        r"\bnessuno (sentirebbe|se ne accorgerebbe|noterebbe)\b",
        r"\ba quoi bon (continuer|vivre|rester en vie)\b|\bkeine?n? (bock|lust|kraft) mehr (auf|zu|zum) leben\b|"
        r"\b(das leben|alles) (hat|macht) keinen sinn mehr\b|\b(hat|macht) (alles|das leben) keinen sinn mehr\b|"
        r"\b(non|nn) ce la faccio (piu )?a vivere\b|\b(voglio|vojo) (mori|muri)\b|\b(vorrei|voglio) (solo |soltanto )?sparire per sempre\b|"
        r"\b(veux|voudrais) disparaitre (pour toujours|a jamais)\b|\b(will|mochte) fur immer verschwinden\b|\b(quero|queria) sumir para sempre\b|"
        r"\b(vorrei|voglio|vuole|voleva) (solo|soltanto|solamente) morire\b|\b(quiero|quisiera) (solo|nomas|solamente) morir(me)?\b|"
        r"\blo mejor (seria|es) no (estar|existir|despertar(me)?)\b",
    ),
    "chest_pain": _p(
        r"\b(dolor|opresion|presion) (en el|de|del) pecho\b", r"\bme duele (mucho )?el pecho\b",
        r"\b(douleur|mal|serrement|oppression) (a la|dans la|de) poitrine\b", r"\boppression thoracique\b",
        r"\bbrustschmerz", r"\b(schmerzen|druck|enge\w*) (in|auf) der brust\b",
        r"\b(dor|aperto|pressao) no peito\b", r"\b(dolore|male|oppressione|peso) (al|sul) petto\b",
        r"\b(ecrase|serre|comprime|broie) (la |ma )?poitrine\b|\bpoitrine (qui )?(serre|ecrase|comprime)\b",
        r"\b(aprieta|oprime) el pecho\b|\b(aperta|esmaga) o peito\b|\b(stringe|schiaccia) (il|al) petto\b",
    ),
    "breathing": _p(
        r"\bno (puedo|puede) respirar\b", r"\b(me|se) ahoga\b|\bme ahogo\b", r"\b(me|le) falta (el )?aire\b",
        r"\b(n'?arrive|n'?arrive pas|arrive pas|peux pas|ne peux pas|ne peut pas|peut pas) (a )?respirer\b", r"\b(j'?etouffe|il etouffe|elle etouffe)\b",
        r"\b(kann|bekomme|krieg\w*) (nicht|kaum|keine|schlecht|schwer) (mehr )?(atmen|luft)\b", r"\batemnot\b",
        r"\bnao (consigo|consegue) respirar\b", r"\bfalta de ar\b", r"\bsufocando\b",
        r"\bnon (riesco|riesce) a respirare\b", r"\bnon respira\b", r"\bmanca (il fiato|l'?aria)\b",
        # "ne" dropped as people speak ("j'arrive plus a respirer"), choking
        r"\b(n'|ne )?(arrive|peux|peut|pouvait|arrivait) (plus|pas|meme pas|presque pas|presque plus) (du tout )?(a )?respirer\b",
        r"(?<!ca )\b(s'|m'|je m')etouff\w*\b|\bse (esta )?ahogando\b|\bno (consigo|consigue) respirar\b|\bengasgad[oa]\b|\bnao (posso|pode) respirar\b|"
        r"\b(sta )?soffocando\b|\berstickt\b",
        # blue or grey lips
        r"\blevres (sont |toutes |deviennent |devenues |un peu )?(bleues|violettes|grises)\b|\blabios (morados|azules|grises)\b|"
        r"\blabios (roxos|azuis|arroxeados)\b|\blabbra (blu|viola|cianotiche)\b|\blippen (sind )?(ganz )?(blau|lila|grau)\b",
    ),
    "stroke": _p(
        r"\b(cara|boca) (torcida|caida|paralizada)\b", r"\bhabla (rara|arrastrada|trabada)\b", r"\bderrame cerebral\b",
        r"\b(visage|bouche) (paralyse|tombe|de travers)\b", r"\bavc\b",
        r"\bschlaganfall\b", r"\b(gesicht|mundwinkel) (hangt|ist schief)\b", r"\blallt\b",
        r"\bboca torta\b", r"\brosto (caido|torto)\b", r"\bfala enrolada\b", r"\bderrame\b",
        r"\bictus\b", r"\b(bocca|faccia) (storta|cadente)\b",
        # the worst headache of one's life (a thunderclap headache)
        r"\bpire mal de (tete|crane) de (ma|sa|toute ma|toute sa) vie\b|\bpeor dolor de cabeza de (mi|su) vida\b|"
        r"\bpior dor de cabeca da (minha|sua) vida\b|\bpeggior(e)? mal di testa della (mia|sua) vita\b|"
        r"\bschlimmsten kopfschmerzen (meines|seines|ihres) lebens\b",
    ),
    "unresponsive": _p(
        r"\binconsciente\b", r"\bno (responde|reacciona|despierta)\b", r"\bse desmayo\b",
        r"\binconscient\b", r"\bne (repond|reagit) (plus|pas)\b", r"\bevanoui", r"\bdans les pommes\b",
        r"\bbewusstlos\b", r"\breagiert (nicht|ned|nimmer)\b", r"\bohnmachtig\b", r"\bwacht nicht (mehr )?auf\b",
        r"\bdesmaiou\b", r"\bnao (responde|reage|acorda)\b", r"\bdesacordad",
        r"\bsvenut", r"\bincosciente\b", r"\bnon (risponde|reagisce|si sveglia)\b", r"\bprivo di sensi\b",
        r"\b(repond|reagit|se reveille) (plus|pas)( du tout)?\b", r"\bnicht ansprechbar\b|\bantwortet nicht\b",
    ),
    "overdose": _p(
        r"\bsobredosis\b", r"\b(tomo|trago|tome|trague|se tomo|se trago)\b.{0,40}\b(pastillas|comprimidos|pildoras)\b", r"\benvenen",
        r"\bsurdose\b", r"\b(avale|pris)\b.{0,40}\b(comprimes|cachets|pilules|gelules|somniferes|plaquettes?|boite de (medicaments|doliprane|paracetamol))\b", r"\bempoisonn", r"\bintoxi",
        r"\buberdosis\b", r"(tabletten|pillen|packung)\b.{0,30}\b(geschluckt|genommen|eingenommen)\b", r"\bvergift",
        # household poisons and button batteries swallowed, mostly by children
        r"\b(bu|avale|mange)\b.{0,30}\b(eau de javel|javel|detergent|piles?( bouton)?|produit menager)\b",
        r"\b(bebio|trago|se tomo|comio|se comio)\b.{0,30}\b(lejia|cloro|pilas?( de boton)?|detergente|lavavajillas)\b",
        r"\b(chlor\w*|bleich\w*|knopfzelle\w*|batterie\w*|putzmittel\w*|reiniger\w*|spulmittel\w*)\b.{0,30}\b(getrunken|geschluckt|gegessen|verschluckt)\b",
        r"\b(bebeu|engoliu|comeu)\b.{0,30}\b(agua sanitaria|lixivia|cloro|pilhas?|baterias?|detergente)\b",
        r"\b(bevuto|ingoiato|inghiottito|mangiato)\b.{0,30}\b(candeggina|varechina|pile|pila|batteri[ae]|detersivo)\b",
        r"\boverdose\b", r"\b(tomou|engoliu|tomei|engoli)\b.{0,40}\b(comprimidos|remedios|pilulas|cartela)\b",
        r"\b(preso|ingoiato|inghiottito)\b.{0,40}\b(pastiglie|pillole|compresse)\b", r"\bavvelena",
    ),
    "cauda_equina": _p(
        r"\bno (puedo|controlo|aguanto) (orinar|hacer pis|mear)\b", r"\bme (hice|hago|he hecho) pis\b", r"\bperdi(do)? el control (de la vejiga|del esfinter|de los esfinteres|del intestino)\b",
        r"\b(entumecid|adormecid|dormid)\w* .{0,30}\b(entrepierna|zona genital|ingle|entre las piernas)\b",
        r"\b(peux|arrive) (plus|pas) (a )?(uriner|faire pipi)\b", r"\bfait pipi sur moi\b", r"\b(perte|perdu) (de |le )?controle (de la vessie|des selles|du sphincter|de mes sphincters)\b",
        r"\b(engourdi|insensible)\w* .{0,30}\b(entrejambe|parties genitales|aine|fesses)\b",
        r"\bkann nicht (mehr )?(pinkeln|urinieren|wasser lassen)\b", r"\b(blase|stuhlgang|darm) nicht (mehr )?(kontrollieren|halten)\b",
        r"\beingenasst\b", r"\bin die hose gemacht\b", r"\btaub\w* .{0,30}\b(intimbereich|schritt|gesass|reithose)", r"\breithosen",
        r"\bnao (consigo|consegue) (urinar|fazer xixi)\b", r"\bfiz xixi nas calcas\b", r"\bperdi o controle (da bexiga|do intestino)\b",
        r"\b(dormente|dormencia|formigamento)\b.{0,30}\b(virilha|genitais|entre as pernas|nadegas)\b",
        r"\bnon riesco (piu )?a (urinare|fare pipi)\b", r"\b(fatto|fatta) la pipi addosso\b", r"\bperso il controllo (della vescica|dell'?intestino)\b",
        r"\b(intorpidit|formicolio|insensibil)\w* .{0,30}\b(inguine|genitali|tra le gambe|glutei)\b",
        r"\b(n'|ne )?(peux|arrive|peut) (plus|pas) (du tout )?(a )?(uriner|faire pipi|pisser)\b", r"\b(me suis|s'est|se fait|me fais|se fais) (fait )?dessus\b",
        r"\bno (consigo|consigue) (orinar|hacer pis|mear)\b",
    ),
    "meningitis": _p(
        r"\b(nuca|nuque|nacken|pescoco) (rigida|raide|bloquee|steif|rigido|dura)\b.{0,60}\b(fievre|fiebre|fieber|febre|febbre)\b|"
        r"\b(fievre|fiebre|fieber|febre|febbre)\b.{0,60}\b(nuca|nuque|nacken|pescoco) (rigida|raide|bloquee|steif|rigido|dura)\b",
        r"\b(taches|manchas|flecken|macchie|pontos|pintas)\b.{0,80}\b(verre|vaso|glas|copo|bicchiere)\b",
    ),
    "aortic_aneurysm": _p(
        r"\b(zer)?rei(ss|ß)end\w* schmerz\w*\b.{0,40}\b(rucken|bauch)\b", r"\bdolor (desgarrador|como un desgarro)\b",
        r"\bdouleur (dechirante|comme un dechirement)\b", r"\bdor (dilacerante|como um rasgo)\b", r"\bdolore (lacerante|come uno strappo)\b",
    ),
    "major_trauma": _p(
        # road accidents, hit by a vehicle, falls from a height ("accident de voiture", "atropellado", "vom dach gefallen")
        r"\baccident de (voiture|moto|scooter|la route|velo)\b|\b(renverse|percute|fauche)e?s? par une? (voiture|camion|moto|bus)\b|"
        r"\btombee? (d'une|de l'|du haut d'une?|du haut de l'|en bas de l'|du|d'un) ?(echelle|toit|balcon|echafaudage|arbre|cheval|fenetre)\b",
        r"\baccidente de (coche|carro|moto|trafico|transito)\b|\batropellad[oa]\b|\b(caid[oa]|cayo|cai) (de|desde) (el tejado|el techo|un andamio|el balcon|un caballo|un arbol)\b",
        r"\bacidente de (carro|moto|transito|mota)\b|\batropelad[oa]\b|\bcai\w* (de|da|do) (telhado|andaime|varanda|cavalo|arvore)\b",
        r"\bincidente (in macchina|in moto|stradale|con la moto|con la macchina)\b|\binvestit[oa] da\b|\bcadut[oa] (da|dalla|dal) (tetto|impalcatura|balcone|cavallo|albero)\b",
        r"\b(auto|motorrad|verkehrs)unfall\b|\bangefahren\b|\b(von|vom) (der leiter|dach|gerust|balkon|pferd|baum) (gefallen|gesturzt)\b",
    ),
    "seizure": _p(r"\bconvuls", r"\bconvulsion", r"\b(ataque|crisis|crise) (epileptic|epilepti|d'?epilepsie)", r"\bkrampfanfall\b",
                  r"\bepileptischer anfall\b", r"\bkrampft\b", r"\b(crisi|attacco) epilettic"),
    "severe_bleeding": _p(
        r"\bsangr\w* (mucho|sin parar|muito|sem parar)\b", r"\bno para de sangrar\b", r"\bhemorragi", r"\bsaign\w* (beaucoup|sans arret|abondamment)\b",
        r"\bblutet (stark|sehr|ohne aufzuhoren)\b", r"\bstarke blutung\b", r"\bemorragia\b", r"\bsanguin\w* (tanto|molto|senza sosta)\b",
        # blood coughed up, vomited or spurting ("crache du sang", "le sang sort par jets", "vomita sangre")
        r"\b(crach\w*|vomi\w*|tousse\w*) (du |le )?sang\b|\bsang (sort |gicle |coule )?(par|en) jets?\b|\b(pisse|gicle) le sang\b",
        r"\b(escup\w*|vomit\w*|tose\w*) sangre\b|\bsangre a chorros\b|\bchorrea\w* sangre\b",
        r"\b(cusp\w*|vomit\w*|toss\w*) sangue\b|\bsangue (jorrando|esguichando|a jorrar)\b|\bjorra\w* sangue\b",
        r"\b(sput\w*|vomit\w*|toss\w*) sangue\b|\bsangue a (fiotti|zampilli)\b|\bzampill\w* sangue\b",
        r"\bblut (gespuckt|spuckt|spucken|erbrochen|gehustet|hustet)\b|\b(spuckt|hustet|erbricht) blut\b|\bblut spritzt\b",
    ),
    "anaphylaxis": _p(r"\banafila", r"\banaphyla", r"\b(levres|langue|gorge) (qui )?(gonflent|gonfle|enflent|enfle)\b", r"\bgorge (qui )?serre\b",
                      r"\b(labios|lingua|garganta) (inchad|inchand|inchou)\w*\b", r"\b(labbra|lingua|gola) (si )?gonfi\w*\b", r"\b(garganta|lengua|labios) (se me )?(hincha|cierra|hinchad)", r"\bgorge (qui )?(gonfle|se ferme)\b",
                      r"\b(hals|zunge) schwillt\b", r"\bschwill\w* (mir |ihm |ihr )?(meine?|seine?|ihre?|die|der) (zunge|hals|lippen?|rachen)\b", r"\ballergischer schock\b", r"\bgarganta (fechando|inchando)\b", r"\blingua inchada\b",
                      r"\bgola (si chiude|gonfia)\b", r"\bshock anafilattico\b",
                      # the swelling a few words from the lips, tongue or throat, either way round ("ses levres ont double de
                      # volume", "se le esta hinchando la lengua", "die lippen sind ganz dick geworden")
                      r"\b(levres?|langue|gorge)\b.{0,25}\b(gonfl\w*|enfl\w*|double de volume)|\b(gonfl\w*|enfl\w*)\b.{0,15}\b(les |la |ses |sa |mes |ma )(levres|langue|gorge)\b",
                      r"\b(labios|lengua|garganta)\b.{0,25}\bhinch\w*|\bhinch\w*\b.{0,15}\b(los labios|la lengua|la garganta)\b",
                      r"\b(labios|lingua|garganta)\b.{0,25}\binch\w*|\binch\w*\b.{0,15}\b(os labios|a lingua|a garganta)\b",
                      r"\b(labbra|lingua|gola)\b.{0,25}\bgonfi\w*|\bgonfi\w*\b.{0,15}\b(le labbra|la lingua|la gola)\b",
                      r"\b(lippen?|zunge|rachen)\b.{0,25}\b(geschwollen|schwillt|schwellen|angeschwollen|dick geworden)\b"),
}
# Idioms that use the words of a pattern: someone else "will kill me" ("mon patron va me tuer", "essa dor vai me
# matar", "mi jefe va a matarme") is not a wish to die; "je vais me tuer", "vou me matar" are.
_FOREIGN_IDIOMS = re.compile(
    r"\b(va|vont|allait|allaient|vas|va finir par) me tuer\b|\b(vai|vao|ia|iam|vais) me matar\b|\b(va|van) a matarme\b|"
    r"\bme (va|van|iba) a matar\b|\bmi (ammazza|uccide|ammazzera|uccidera)\b|\bbringt mich (noch )?um\b|"
    # feeling as if run over: "parece que fui atropelada por um caminhao", "comme si un camion m'avait renverse"
    r"\b(parece|parecia|como si|como se) (q|que )?(\w+ ){0,3}(atropel\w*)( por)?|\bcomme si (\w+ ){0,4}(renverse|percute)\w*|"
    r"\bcome se (\w+ ){0,4}investit\w*|\bals (ob|hatte) (\w+ ){0,4}(uberfahren|angefahren)"
)
# "ni" / "nem" / "ne" carry a negation on to the next thing named ("no tengo fiebre ni dolor en el pecho"),
# and "pas du tout au suicide" puts three words between the cue and the finding
_FOREIGN_NEGATION = re.compile(
    r"\b(no|not|never|nao|non|nn|ne|pas|kein\w*|nicht|sin|sans|senza|sem|nunca|jamais|mai|ni|nem|nor|aucun\w*|ningun\w*|nenhum\w*|nessun\w*)\s+"
    r"((?!(y|e|et|und|and|ma|mais|pero|aber|mas|o|ou|oder)\s)[^\s,.;:!?]+\s+){0,3}$"
)


def foreign_flags(text: str) -> set[str]:
    """Flags raised by the patterns in other languages (text: normalised)."""
    folded = _FOREIGN_IDIOMS.sub(" ", fold_accents(text))
    found = set()
    for flag, patterns in FOREIGN_PATTERNS.items():
        for pattern in patterns:
            match = pattern.search(folded)
            if match and not _FOREIGN_NEGATION.search(folded[max(0, match.start() - 40) : match.start()]):
                found.add(flag)
                break
    return found


ENGLISH_ONLY = {
    "es": "**Solo puedo leer preguntas en inglés.** Por favor, escriba su pregunta en inglés. Si se trata de una urgencia, "
          "llame ahora al número de emergencias: 112 en Europa, 911 en las Américas.",
    "fr": "**Je ne lis que les questions en anglais.** Merci d'écrire votre question en anglais. En cas d'urgence, "
          "appelez maintenant le 15 ou le 112 (le 911 au Canada).",
    "de": "**Ich kann nur Fragen auf Englisch lesen.** Bitte stellen Sie Ihre Frage auf Englisch. In einem Notfall rufen "
          "Sie jetzt den Notruf 112 an (in Österreich auch 144, in der Schweiz 144).",
    "pt": "**Só consigo ler perguntas em inglês.** Por favor, escreva a sua pergunta em inglês. Numa emergência, ligue "
          "agora para o 112 (em Portugal) ou o 192 / SAMU (no Brasil).",
    "it": "**Posso leggere solo domande in inglese.** Per favore, scriva la sua domanda in inglese. In caso di emergenza, "
          "chiami subito il 112 (o il 118).",
}
EMERGENCY = {
    "es": "**Esto puede ser una emergencia médica.** Llame ahora al número de emergencias (112 en Europa, 911 en las "
          "Américas) o vaya a urgencias. No espere una respuesta en línea.",
    "fr": "**Cela peut être une urgence médicale.** Appelez maintenant le 15 ou le 112 (le 911 au Canada) ou allez aux "
          "urgences. N'attendez pas une réponse en ligne.",
    "de": "**Das kann ein medizinischer Notfall sein.** Rufen Sie jetzt den Notruf 112 an oder gehen Sie in die "
          "Notaufnahme. Warten Sie nicht auf eine Antwort im Internet.",
    "pt": "**Isto pode ser uma emergência médica.** Ligue agora para o 112 (Portugal) ou 192 / SAMU (Brasil), ou vá às "
          "urgências. Não espere por uma resposta online.",
    "it": "**Questa può essere un'emergenza medica.** Chiami subito il 112 (o il 118) o vada al pronto soccorso. Non "
          "aspetti una risposta online.",
}
CRISIS = {
    "es": "**Mereces ayuda ahora mismo.** Si piensas en el suicidio o en hacerte daño, llama al 024 (España), a la Línea "
          "de la Vida 800 911 2000 (México) o al número de emergencias (112, 911). Hablar con alguien de confianza también ayuda.",
    "fr": "**Vous méritez de l'aide dès maintenant.** Si vous pensez au suicide ou à vous faire du mal, appelez le 3114 "
          "(France, 24h/24) ou le numéro d'urgence (112, 15). Parler à quelqu'un de confiance peut aussi aider.",
    "de": "**Sie verdienen jetzt Hilfe.** Wenn Sie an Suizid denken oder sich etwas antun wollen, rufen Sie die "
          "TelefonSeelsorge an: 0800 111 0 111 oder 0800 111 0 222 (kostenlos, rund um die Uhr), oder den Notruf 112.",
    "pt": "**Você merece ajuda agora.** Se está a pensar em suicídio ou em fazer mal a si mesmo, ligue para o CVV 188 "
          "(Brasil), o SNS 24 808 24 24 24 (Portugal) ou o número de emergência (112, 192).",
    "it": "**Meriti aiuto adesso.** Se pensi al suicidio o a farti del male, chiama Telefono Amico 02 2327 2327 o il "
          "numero di emergenza 112. Parlare con qualcuno di cui ti fidi può aiutare.",
}
DOCTOR = {
    "es": "Por favor, consulte a un médico.",
    "fr": "Veuillez consulter un médecin.",
    "de": "Bitte gehen Sie zu einer Ärztin oder einem Arzt.",
    "pt": "Por favor, consulte um médico.",
    "it": "Per favore, consulti un medico.",
}
