"""The cues of ``context`` in the five other languages the triage reads (Spanish, French, German,
Portuguese, Italian), over accent-folded text: negations that are the finding itself, and the
past, hypothetical, present-time and all-clear modifiers.  ``context`` uses them beside its English
cues; they live here so that each module stays one readable page.
"""

from __future__ import annotations

import re

# The same in the five other languages (accent-folded): a body that cannot pee, breathe, move, feel or wake
# ("no consigo mear", "nao sinto as pernas", "non respira", "nicht atmen", "sans connaissance")
FINDING = re.compile(
    r"^(no|nao|nem|non|nn|nicht|kein\w*|sin|sans|pas|plus)\s+(\w+\s+)?("
    r"(puedo|puede|consigo|consigue|logro|logra|consegue|posso|pode|riesco|riesce|puo|kann|konnen)\s+(a\s+)?(\w+\s+){0,2}?"
    r"(orinar|mear|hacer pis|respirar|mover\w*|caminar|andar|sentir|levantar\w*|hablar|ver|despertar\w*|tragar|tenerme|"
    r"urinar|xixi|mijar|mexer|acordar|engolir|segurar|controlar|ficar|urinare|pipi|respirare|muover\w*|camminare|stare|parlare|"
    r"vedere|svegliar\w*|alzar\w*|sentire|trattenere|controllare)|"
    r"siento|siente|respira|respiro|despierta|reacciona|responde|contesta|se mueve|se despierta|me responde|se levanta|controlo|"
    r"aguanto|me aguantan|le aguantan|sinto|sente|acorda|reage|mexe|se mexe|seguro|sento|si sveglia|reagisce|risponde|si muove|"
    r"sto in piedi|sta in piedi|trattengo|(mehr\s+)?(atmen|atmet|pinkeln|wasserlassen|urinieren|laufen|gehen|stehen|bewegen|sprechen|"
    r"aufwachen|wach|ansprechbar|spuren|fuhlen|halten|reagiert|reagieren)|gefuhl|kraft|luft|puls|reaktion|atmung|"
    r"connaissance|(de\s+)?(sensation|sensibilite|force|pouls|reaction)|sentido|fuerza|sensibilidad|sensibilidade|forca|forza|sensibilita|"
    r"svegliarmi|despertarme|despertar|me reveiller|respirer|uriner|pisser|faire pipi|bouger|marcher|me lever|se lever|tenir debout|"
    r"retenir|avaler|rien sentir|"
    # what does not stop or pass: "no para de sangrar", "nao para de sangrar", "non smette di", "nicht auf zu bluten"
    r"(para|paran|pára|deja|dejan|se detiene|se quita|se me quita|se pasa|passa|se passa|smette|smettono|si ferma|"
    r"va via|aufhoren|auf|weg)\b|"
    # who no longer knows where they are or who is with them: "no me reconoce", "non si ricorda", "nao lembra"
    r"(me |te |nos |la |le |lo |mi |ti |ci |mich |uns )?(reconoce|recuerda|se acuerda|sabe donde|reconhece|lembra|se lembra|"
    r"sabe onde|riconosce|si ricorda|ricorda|sa dove|erkennt|erinnert|weiss wo))\b"
)
# French puts the verb before its "pas": "il ne respire pas", "elle (ne) repond pas quand je lui parle"
FRENCH_FINDING_VERB = re.compile(
    r"\b(sens|sent|respire|respirent|reveille|bouge|bougent|repond|reagit|vois|voit|tiens|tient|controle|"
    r"retiens|retient|parle|marche|leve|disparait|disparaissent|s'efface|s'effacent|"
    # what does not stop or pass, and who does not remember or know those near: "ca n'arrete pas de saigner",
    # "la douleur ne passe pas", "il ne se souvient pas de la chute", "elle ne me reconnait pas"
    r"arrete|arretent|passe|calme|souvient|souviens|rappelle|reconnait|reconnais)\s*$"
)


FRENCH_STOP_OR_MEMORY = re.compile(r"\b(arrete|arretent|souvient|souviens|rappelle)\s*$")


# The same modifiers in the five other languages the triage reads, over accent-folded text.  A time "ago" is
# past ("hace 12 anos", "il y a 8 ans", "vor 5 Jahren", "ha 7 anos", "anni fa"); a time "for" is not
# ("desde hace", "depuis", "seit", "da": the problem goes on).
HISTORICAL = re.compile(
    r"(?<!desde )\bhace (\d+|un|una|unos|unas|dos|tres|cuatro|cinco|seis|diez|varios|muchos) (anos?|meses|mes|decadas?)\b(?! que)|(?<!desde )\bhace (anos|mucho tiempo)\b(?! que)|"
    r"\bel ano pasado\b|\bde (nino|nina|joven|pequeno|pequena|adolescente)\b|\bcuando (era|tenia) (nino|nina|joven|pequeno|pequena|\d+)\b|"
    r"\b(il )?y a (\d+|un|une|deux|trois|quatre|cinq|six|dix|quelques|plusieurs|des) (ans|annees|an|mois)\b(?! (que|qu'))|\bil y a (bien )?longtemps\b(?! (que|qu'))|"
    r"\bl'annee (derniere|passee)\b|\bquand (j'etais|il etait|elle etait) (petit|petite|jeune|enfant|ado|adolescent\w*)\b|\bdans (ma|mon|sa|son) (jeunesse|enfance)\b|"
    r"\bvor (\d+|einem|einigen|ein paar|vielen|zwei|drei|vier|funf|sechs|zehn|langer) ?(jahren|monaten|jahrzehnten|zeit)\b|\bletztes jahr\b|\bals (kind|jugendlicher|teenager)\b|"
    r"\bals (ich|er|sie) (jung|klein|ein kind|\d+) war\b|"
    r"\bfaz (\d+|um|uma|dois|duas|tres|quatro|cinco|seis|dez|alguns|algumas|muitos|varios) (anos?|meses|mes|decadas?)\b(?! que)|\b\d+ anos atras\b|"
    r"\bno ano passado\b|\bquando (eu )?era (crianca|jovem|pequeno|pequena|adolescente)\b|"
    r"\b(\d+|un|uno|una|due|tre|quattro|cinque|sei|dieci|molti|alcuni|qualche|parecchi) (anni|mesi|anno|mese) fa\b|\banni fa\b|\bl'anno scorso\b|"
    r"\bda (bambino|bambina|piccolo|piccola|ragazzo|ragazza)\b|\bquando ero (piccolo|piccola|giovane|bambino|bambina|ragazz[oa])\b|"
    r"\b(en|im jahr|nel|em|no ano de) (19|20)\d\d\b|"
    r"\b(a|a los|aos|mit) \d{1,2} (ans|anos|anni|jahren)\b(?! (que|qu'))|\bmit \d{1,2}\b(?= (hatte|war|habe|bin|hat))|"
    # an age without its word, before a verb in the past ("a los 20 tuve un accidente"), and last season
    r"\b(a los|aos) \d{1,2}\b(?= (tuve|tuvo|me|se|sufri|sufrio|tive|teve|sofri|sofreu|fui|foi|fue))|"
    r"\b(el (verano|invierno|otono) pasado|l'(ete|hiver|automne) (dernier|passe)|letzten (sommer|winter|herbst)|"
    r"(no )?(verao|inverno|outono) passado|l'(estate|inverno|autunno) scors[oa])\b|"
    # long ago without a number: "vor ewigkeiten", "ist lang her", "hace siglos", "il y a une eternite"
    r"\bvor ewigkeiten\b|\b(ist|war) (schon )?lange? her\b|\bhace (siglos|una eternidad)\b|\bil y a (une eternite|des lustres)\b|"
    r"\b(ha|faz) (seculos|uma eternidade)\b|\becoli fa\b|\b(tanto|tantissimo) tempo fa\b"
)
# Portuguese "há 7 anos" with its accent: folded, "ha 3 anni" is an Italian child's age
PORTUGUESE_AGO = re.compile(r"\bhá (\d+|um|uma|dois|duas|três|quatro|cinco|seis|dez|alguns|algumas|muitos|vários) (anos?|meses|mês|décadas?)\b(?! que)|\bhá anos\b(?! que)")
# "what if one day ..." in the five other languages (accent-folded)
HYPOTHETICAL = re.compile(
    r"\bse (eu|ele|ela|voce|alguem|a gente)\b.{0,80}?\b(um|algum) dia\b|\bse (um|algum) dia\b|\by si (algun|un) dia\b|\bsi (algun|un) dia\b|"
    r"\bse (un|un bel) giorno\b|\bsi un jour\b|\bwenn (ich|er|sie|man) (\w+ ){0,3}(eines tages|irgendwann)\b|\bfalls (ich|er|sie|man)\b|"
    r"\b(que pasa|que hago|o que (eu )?faco|que faire|was mache ich|cosa faccio|che faccio) (si|se|wenn)\b|"
    r"\bau cas ou\b|\ben caso de que\b|\bpor si\b|\bcaso (ele|ela|eu|a minha|o meu|minha|meu)\b|\bnel caso (che|in cui)\b|\bim fall(e)?,? (dass|wenn)\b"
)
CURRENT = re.compile(
    r"\b(ahora|hoy|esta (manana|tarde|noche)|de repente|desde (esta manana|ayer|anoche)|maintenant|aujourd'hui|ce (matin|soir)|tout a coup|"
    r"soudain\w*|depuis (ce matin|hier)|jetzt|gerade|heute|plotzlich|seit (heute|gestern)|agora|hoje|esta (manha|noite)|desde (hoje|ontem)|"
    r"adesso|oggi|stamattina|stasera|all'improvviso|improvvisamente|da (stamattina|ieri))\b"
)
RESOLVED = re.compile(  # only a plain all-clear: discharged, home or "it has passed" can go with a new emergency
    r"\bno (fue|era) nada\b|\bfalsa alarma\b|\bce n'etait rien\b|\b(il|elle|je) (va|vais) (bien|mieux) maintenant\b|\bfausse alerte\b|"
    r"\bes war nichts\b|\bfehlalarm\b|\bnao foi nada\b|\balarme falso\b|\bnon era (niente|nulla)\b|\bsta (bene|meglio) (ora|adesso)\b|"
    r"\bfalso allarme\b|\be passato tutto\b|"
    # nothing broken, checked: "ct ohne befund, nur prellungen", "rien de casse", "nada roto", "niente di rotto"
    r"\bohne befund\b|\bnichts gebrochen\b|\brien (de )?casse\b|\bnada (roto|partido|quebrado)\b|\b(niente|nulla) di rotto\b|"
    r"\b(ecg|electro|scanner|irm|prise de sang|bilan|examens|radio|analyses|resonancia|tomografia|analisis|electrocardiograma|"
    r"exames|ressonancia|esami|tac|risonanza|analisi|blutwerte|mrt|ct|rontgen|ekg)( [\w']+){0,4} "
    r"(sont |son |sao |sono |waren |war |sind |ist |salio |salieron |deu |deram |e |est )?(tous |todos |tutti |alle )?"
    r"(normaux|normales|normais|normali|normal|bien|bons|buenos|unauffallig|in ordnung|negatifs?|negativos?|negativi)\b"
)

# "si me muriera nadie se daría cuenta": an "if" that states a wish to be gone, not a hypothetical (as ``context._GONE``)
GONE = re.compile(
    r"\bsi (yo )?(me muriera|me muero|no estuviera|desapareciera|ya no estuviera)\b|\bsi je (mourais|disparaissais|n'etais plus la)\b|"
    r"\bwenn ich (weg|tot|nicht mehr da) (war|ware|waere)\b|\bse eu (morresse|sumisse|nao estivesse (mais )?aqui)\b|"
    r"\bse (io )?(morissi|sparissi|non ci fossi piu)\b"
)
