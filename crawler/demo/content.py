"""The demo's statements: fictional ministries, press releases in English and Russian."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    """One article page of the demo site."""

    slug: str
    title: str
    date: str  # ISO date
    paragraphs: tuple[str, ...]
    lang: str = "en"


FREEDONIA = (
    Statement(
        "fm-2026-101",
        "Foreign Minister meets Pakistani counterpart on strategic stability in South Asia",
        "2026-11-27",
        (
            "The Foreign Minister of Freedonia received the Foreign Minister of Pakistan in "
            "the capital today for talks on regional security.",
            "Both ministers underlined that strategic stability in South Asia requires "
            "restraint, crisis-communication channels and a renewed dialogue on arms control.",
            "They agreed to convene an expert group on confidence-building measures early next "
            "year.",
        ),
    ),
    Statement(
        "fm-2026-100",
        "Statement on the anniversary of the Comprehensive Nuclear-Test-Ban Treaty",
        "2026-11-25",
        (
            "Freedonia reaffirms its commitment to the moratorium on nuclear tests and calls "
            "on all states that have not yet done so to ratify the Treaty.",
            "Disarmament and non-proliferation remain the pillars of our foreign policy, and we "
            "welcome the statements made by India and Pakistan in Vienna this week.",
        ),
    ),
    Statement(
        "fm-2026-099",
        "Freedonia and Sylvania sign agreement on cultural exchange",
        "2026-11-24",
        (
            "The two governments signed a three-year programme of exchanges between museums, "
            "orchestras and universities.",
            "The programme includes a joint exhibition on the history of the silk routes.",
        ),
    ),
    Statement(
        "fm-2026-098",
        "Freedonia congratulates national cricket team",
        "2026-11-20",
        (
            "The Ministry congratulates the national team on its victory over Pakistan in the "
            "final of the regional cricket cup.",
        ),
    ),
    Statement(
        "fm-2026-097",
        "Joint statement on arms control consultations with Russia",
        "2026-11-18",
        (
            "Delegations of Freedonia and Russia held consultations on arms control and "
            "disarmament in Geneva on 17-18 November.",
            "The sides exchanged views on the future of strategic offensive arms limitations.",
        ),
    ),
)

RURITANIA = (
    Statement(
        "2026-11-26-briefing",
        "Брифинг официального представителя МИД Руритании",
        "2026-11-26",
        (
            "Официальный представитель МИД Руритании ответила на вопросы журналистов.",
            "Мы придаём большое значение укреплению стратегической стабильности и считаем, что "
            "диалог с Пакистаном и Индией по вопросам контроля над вооружениями должен быть "
            "продолжен.",
        ),
        "ru",
    ),
    Statement(
        "2026-11-23-visit",
        "О визите министра иностранных дел в Исламабад",
        "2026-11-23",
        (
            "Министр иностранных дел Руритании посетит Исламабад с официальным визитом.",
            "Стороны обсудят торгово-экономическое сотрудничество и культурные связи.",
        ),
        "ru",
    ),
    Statement(
        "2026-11-19-statement",
        "Заявление МИД о разоружении",
        "2026-11-19",
        (
            "Руритания выступает за всеобщее и полное разоружение под строгим международным "
            "контролем и поддерживает переговоры с Россией и Китаем.",
        ),
        "ru",
    ),
)

SYLVANIA = (
    Statement(
        "press/strategic-dialogue",
        "Sylvania and China hold strategic dialogue",
        "2026-11-27",
        (
            "Senior officials of Sylvania and China met in Beijing for the fifth round of "
            "their strategic dialogue.",
            "The talks covered strategic stability, outer space security and the "
            "non-proliferation regime.",
        ),
    ),
    Statement(
        "press/trade-mission",
        "Trade mission to Karachi concludes",
        "2026-11-22",
        (
            "A delegation of fifty Sylvanian companies concluded a four-day trade mission to "
            "Karachi and Lahore.",
        ),
    ),
)

# A news wire that republishes a Freedonian statement almost word for word.
WIRE = (
    Statement(
        "wire/freedonia-pakistan-talks",
        "Freedonia, Pakistan discuss strategic stability",
        "2026-11-27",
        (*FREEDONIA[0].paragraphs, "Reporting by the Demo Wire desk."),
    ),
)
