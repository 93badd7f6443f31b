"""A fictional, coded interview project for the suggestion benchmark.

Parents of disabled children talk about their caseworkers, in English and Danish, coded
with the starter codebook (codebooks/family-collaboration.yaml) by one coder. Every
sentence is built from clauses written for this benchmark: an optional opener shared by
all codes, a core clause that carries one code's meaning (several per code and
language, with slots for names, numbers and children), and an optional tail shared by
all codes; a few sentences carry no code. The coder is not perfect, as coders are not:
some passages get the theme instead of the sub-code, some a neighbouring sub-code, some
are missed. Everything is drawn from one seeded random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

CORES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # code path: (English core clauses, Danish core clauses)
    "continuity": (
        (
            "nothing ever seemed to build on what we had agreed the year before",
            "every new plan started from a blank page",
            "it felt like the case had no memory from one year to the next",
        ),
        (
            "intet byggede videre på det, vi havde aftalt året før",
            "hver ny plan startede fra et blankt stykke papir",
            "det var som om sagen ikke kunne huske noget fra år til år",
        ),
    ),
    "continuity/few caseworker changes": (
        (
            "we have had {n} caseworkers since {child} was born",
            "{name} left after a few months and then came someone new again",
            "I stopped learning their names because they kept changing",
            "we had the same caseworker for four years and that was the good period",
        ),
        (
            "vi har haft {n} sagsbehandlere siden {child} blev født",
            "{name} stoppede efter få måneder, og så kom der en ny igen",
            "jeg holdt op med at lære deres navne, fordi de skiftede hele tiden",
            "vi havde den samme sagsbehandler i fire år, og det var den gode periode",
        ),
    ),
    "continuity/meeting the child": (
        (
            "{name} came to our home and sat on the floor with {child}",
            "she has never actually met {child}, she only knows him from papers",
            "he asked {child} himself what he wanted, with the picture board",
            "the caseworker visited the school to see {child} in class",
        ),
        (
            "{name} kom hjem til os og sad på gulvet med {child}",
            "hun har aldrig mødt {child}, hun kender ham kun fra papirerne",
            "han spurgte selv {child}, hvad han ville, med billedtavlen",
            "sagsbehandleren besøgte skolen for at se {child} i klassen",
        ),
    ),
    "continuity/holistic view": (
        (
            "she asked how his little sister was coping with all of it",
            "nobody connected the school, the hospital and the municipality",
            "they saw the whole family and not just the diagnosis",
            "each application was treated on its own as if we had no life around it",
        ),
        (
            "hun spurgte, hvordan lillesøsteren havde det med det hele",
            "ingen fik skolen, hospitalet og kommunen til at hænge sammen",
            "de så hele familien og ikke kun diagnosen",
            "hver ansøgning blev behandlet for sig, som om vi ikke havde et liv omkring den",
        ),
    ),
    "continuity/handover and follow-up": (
        (
            "the new caseworker had not read the file before our meeting",
            "nobody passed on what we had agreed when {name} left",
            "I had to tell the whole story again from the birth",
            "she called back a month later to check that the help had started",
        ),
        (
            "den nye sagsbehandler havde ikke læst sagen inden mødet",
            "ingen gav det videre, vi havde aftalt, da {name} stoppede",
            "jeg måtte fortælle hele historien igen fra fødslen",
            "hun ringede igen en måned senere for at høre, om hjælpen var gået i gang",
        ),
    ),
    "accessibility": (
        (
            "it was simply very hard to get hold of anyone at the municipality",
            "the door to the municipality felt closed most of the time",
        ),
        (
            "det var bare meget svært at få fat i nogen i kommunen",
            "døren ind til kommunen føltes lukket det meste af tiden",
        ),
    ),
    "accessibility/reachability and response time": (
        (
            "I called {n} times before anyone called me back",
            "we waited {months} months for an answer to the application",
            "she always answered my emails the same day",
            "the phone hour is only between nine and ten and then it is always busy",
        ),
        (
            "jeg ringede {n} gange, før nogen ringede tilbage",
            "vi ventede {months} måneder på svar på ansøgningen",
            "hun svarede altid på mine mails samme dag",
            "telefontiden er kun mellem ni og ti, og så er der altid optaget",
        ),
    ),
    "accessibility/agreed contact level": (
        (
            "we agreed that I could text her when something urgent came up",
            "at the first meeting we decided to talk every second week",
            "she told us exactly when and how we could reach her",
            "there was never any agreement about how often we would hear from them",
        ),
        (
            "vi aftalte, at jeg kunne skrive en sms, når noget hastede",
            "på det første møde besluttede vi at tale sammen hver anden uge",
            "hun fortalte os præcis hvornår og hvordan vi kunne få fat i hende",
            "der var aldrig nogen aftale om, hvor tit vi skulle høre fra dem",
        ),
    ),
    "accessibility/navigating the system": (
        (
            "we were sent between the school, the health department and social services",
            "I did not know which office to ask about the aids",
            "another parent on Facebook explained to us how the system works",
            "the forms were so many that I made a folder for each department",
        ),
        (
            "vi blev sendt rundt mellem skolen, sundhedsafdelingen og socialforvaltningen",
            "jeg vidste ikke, hvilket kontor jeg skulle spørge om hjælpemidlerne",
            "en anden forælder på Facebook forklarede os, hvordan systemet hænger sammen",
            "der var så mange skemaer, at jeg lavede en mappe til hver afdeling",
        ),
    ),
    "recognition": (
        (
            "in the end it is about being treated as a person",
            "how they speak to you matters more than they think",
        ),
        (
            "i sidste ende handler det om at blive behandlet som et menneske",
            "måden de taler til én på betyder mere, end de tror",
        ),
    ),
    "recognition/being understood": (
        (
            "she really listened to what I said about the nights",
            "{name} understood how tired we were without us having to prove it",
            "it felt like nobody heard what I was actually saying",
            "for once someone got how hard an ordinary Tuesday is for us",
        ),
        (
            "hun lyttede virkelig til det, jeg fortalte om nætterne",
            "{name} forstod, hvor trætte vi var, uden at vi skulle bevise det",
            "det føltes som om ingen hørte, hvad jeg egentlig sagde",
            "for en gangs skyld forstod nogen, hvor hård en almindelig tirsdag er for os",
        ),
    ),
    "recognition/not judged": (
        (
            "the letter made it sound as if we were neglecting him",
            "I felt like they were checking whether we were good enough parents",
            "the team leader said we were asking for too much",
            "she made it clear that this was about {child} and not about bad parenting",
        ),
        (
            "brevet fik det til at lyde, som om vi forsømte ham",
            "jeg følte, at de undersøgte, om vi var gode nok forældre",
            "teamlederen sagde, at vi bad om for meget",
            "hun gjorde det klart, at det handlede om {child} og ikke om dårlige forældre",
        ),
    ),
    "recognition/parents as experts": (
        (
            "I know {child} better than any specialist and she accepted that",
            "they did not believe me about the seizures until the doctor wrote it",
            "she asked us what works at home before she wrote the plan",
            "my notes from the nights were simply ignored",
        ),
        (
            "jeg kender {child} bedre end nogen specialist, og det accepterede hun",
            "de troede ikke på mig om anfaldene, før lægen skrev det",
            "hun spurgte os, hvad der virker derhjemme, før hun skrev planen",
            "mine notater fra nætterne blev bare ignoreret",
        ),
    ),
    "recognition/both parents seen": (
        (
            "all the letters were addressed to my wife only",
            "they never asked the father anything at the meetings",
            "{name} made sure both of us were invited and heard",
            "as the dad I felt like a visitor in my own son's case",
        ),
        (
            "alle brevene var kun stilet til min kone",
            "de spurgte aldrig faren om noget på møderne",
            "{name} sørgede for, at vi begge blev inviteret og hørt",
            "som far følte jeg mig som gæst i min egen søns sag",
        ),
    ),
    "openness": (
        (
            "I just want them to be honest with us",
            "there was a lot they did not tell us at the start",
        ),
        (
            "jeg vil bare have, at de er ærlige over for os",
            "der var meget, de ikke fortalte os i starten",
        ),
    ),
    "openness/open about options": (
        (
            "nobody told us that respite care was even possible",
            "she showed us the different kinds of support we could apply for",
            "we found out about the compensation for lost earnings from another parent",
            "{name} explained that a special school was also an option",
        ),
        (
            "ingen fortalte os, at aflastning overhovedet var en mulighed",
            "hun viste os de forskellige former for støtte, vi kunne søge",
            "vi fandt ud af tabt arbejdsfortjeneste fra en anden forælder",
            "{name} forklarede, at en specialskole også var en mulighed",
        ),
    ),
    "openness/open about rights": (
        (
            "she told us we had the right to appeal the decision",
            "nobody mentioned that we could bring someone to the meeting",
            "we did not know we had a right to see our own file",
            "the leaflet about our rights came two years too late",
        ),
        (
            "hun fortalte os, at vi havde ret til at klage over afgørelsen",
            "ingen nævnte, at vi måtte tage en bisidder med til mødet",
            "vi vidste ikke, at vi havde ret til aktindsigt i vores egen sag",
            "pjecen om vores rettigheder kom to år for sent",
        ),
    ),
    "openness/open about limits": (
        (
            "she said honestly that the budget would not allow more hours",
            "I would rather hear a clear no than wait for nothing",
            "{name} admitted that she could not promise anything",
            "they kept saying maybe when they meant no",
        ),
        (
            "hun sagde ærligt, at budgettet ikke kunne give flere timer",
            "jeg vil hellere have et klart nej end at vente på ingenting",
            "{name} indrømmede, at hun ikke kunne love noget",
            "de blev ved med at sige måske, når de mente nej",
        ),
    ),
    "openness/explaining decisions": (
        (
            "the decision letter was full of paragraphs I could not understand",
            "she went through the decision with us step by step",
            "nobody explained why we got fewer hours than last year",
            "I had to read the letter three times before I understood it",
        ),
        (
            "afgørelsen var fuld af paragraffer, jeg ikke kunne forstå",
            "hun gennemgik afgørelsen med os trin for trin",
            "ingen forklarede, hvorfor vi fik færre timer end sidste år",
            "jeg måtte læse brevet tre gange, før jeg forstod det",
        ),
    ),
}

OPENERS = (
    (
        "",
        "Honestly, ",
        "I remember that ",
        "To be fair, ",
        "And then ",
        "You know, ",
        "The thing is, ",
        "Looking back, ",
    ),
    (
        "",
        "Ærligt talt ",
        "Jeg husker, at ",
        "For at være fair ",
        "Og så ",
        "Altså ",
        "Sagen er, at ",
        "Set i bakspejlet ",
    ),
)
TAILS = (
    (
        "",
        "",
        ", and that was hard",
        ", which I still think about",
        " at that time",
        ", to be honest",
        " last spring",
    ),
    (
        "",
        "",
        ", og det var hårdt",
        ", og det tænker jeg stadig på",
        " dengang",
        ", ærligt talt",
        " sidste forår",
    ),
)
FILLERS = (
    (
        "It was a Tuesday.",
        "We live just outside the town.",
        "He loves trains.",
        "My mother helps when she can.",
        "I work part-time now.",
        "It rained all that week.",
        "We have a dog as well.",
        "That was before the move.",
    ),
    (
        "Det var en tirsdag.",
        "Vi bor lidt uden for byen.",
        "Han elsker tog.",
        "Min mor hjælper, når hun kan.",
        "Jeg arbejder på deltid nu.",
        "Det regnede hele ugen.",
        "Vi har også en hund.",
        "Det var før flytningen.",
    ),
)
QUESTIONS = (
    (
        "Can you tell me about that?",
        "How did that feel?",
        "What happened next?",
        "And the caseworker?",
        "What would have helped?",
    ),
    (
        "Kan du fortælle om det?",
        "Hvordan føltes det?",
        "Hvad skete der så?",
        "Og sagsbehandleren?",
        "Hvad ville have hjulpet?",
    ),
)
NAMES = ("Mette", "Louise", "Birgitte", "Anders", "Hanne", "Søren", "Pia", "Karim", "Lene")
CHILDREN = ("Elias", "Freja", "Noah", "Ida", "Oscar", "Asta", "Malik", "Sofie")
SPEAKERS = (("Interviewer", "Parent"), ("Interviewer", "Forælder"))
ALL = slice(None)


@dataclass(frozen=True, slots=True)
class BenchTranscript:
    """A transcript's name and text, and the coder's codings ``(code, start, end)``."""

    name: str
    text: str
    codings: tuple[tuple[str, int, int], ...]


def _parent(code: str) -> str:
    return code.split("/")[0]


def _sentence(rng: random.Random, code: str, language: int, clauses: slice) -> str:
    core = rng.choice(CORES[code][language][clauses]).format(
        n=rng.randint(3, 9),
        months=rng.randint(2, 11),
        name=rng.choice(NAMES),
        child=rng.choice(CHILDREN),
    )
    opener = rng.choice(OPENERS[language])
    text = opener + (core if opener else core[:1].upper() + core[1:])
    return text + rng.choice(TAILS[language]) + "."


def _coded_as(rng: random.Random, code: str) -> str | None:
    """What the (imperfect) coder gives a sentence carrying ``code``."""
    roll = rng.random()
    if roll < 0.08:
        return None  # missed
    if roll < 0.16 and "/" in code:
        return _parent(code)  # the theme instead of the sub-code
    if roll < 0.21:
        siblings = [c for c in CORES if _parent(c) == _parent(code) and c != code]
        return rng.choice(siblings)  # a neighbouring code
    return code


def bench_transcript(
    rng: random.Random, index: int, clauses: slice = ALL, prefix: str = "family"
) -> BenchTranscript:
    """One interview: 10–14 questions, each answered about one or two codes, in the
    ``clauses`` of each code's core clauses."""
    language = index % 2
    interviewer, parent = SPEAKERS[language]
    text = ""
    codings: list[tuple[str, int, int]] = []
    for _ in range(rng.randint(10, 14)):
        text += f"{interviewer}: {rng.choice(QUESTIONS[language])}\n\n{parent}: "
        topics = rng.sample(list(CORES), rng.choice((1, 1, 2)))
        parts: list[tuple[str | None, str]] = []
        for chosen in topics:
            parts += [
                (chosen, _sentence(rng, chosen, language, clauses))
                for _ in range(rng.randint(1, 3))
            ]
            if rng.random() < 0.5:
                parts.append((None, rng.choice(FILLERS[language])))
        for position, (topic, sentence) in enumerate(parts):
            start = len(text)
            text += sentence + (" " if position < len(parts) - 1 else "")
            coded = None if topic is None else _coded_as(rng, topic)
            if coded is not None:
                codings.append((coded, start, start + len(sentence)))
        text += "\n\n"
    language_name = ("en", "da")[language]
    name = f"{prefix}-{index + 1:02d}-{language_name}"
    return BenchTranscript(name, text, tuple(codings))


def bench_corpus(
    transcripts: int = 24, seed: int = 17, clauses: slice = ALL, prefix: str = "family"
) -> list[BenchTranscript]:
    """``transcripts`` interviews, alternately English and Danish, named PREFIX-NN-LANG."""
    rng = random.Random(seed)
    return [bench_transcript(rng, index, clauses, prefix) for index in range(transcripts)]
