"""The words the prompt parser knows that are not in any dataset: number words, units,
generic synonyms of column concepts, value aliases (sex, yes/no), US states, a few airports,
months and seasons.

Nothing here names a particular dataset's columns: column synonyms map a prompt word to the
*name tokens* a column may carry (``"earning"`` -> columns whose name holds ``income``,
``salary``, ``wage``, ``pay`` or ``earnings``); :mod:`genesis.nl.resolve` matches those tokens
against the schema's real column names.
"""

from __future__ import annotations


def _word_list(text: str) -> frozenset[str]:
    """A word list written as text."""
    return frozenset(text.split())


SMALL_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
MULTIPLIER_WORDS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 10**9}
DOZEN = {"dozen": 12}
#: suffixes written straight after a number ("10k", "1.5M", "2bn")
SUFFIX_MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "b": 10**9, "bn": 10**9}
#: decades written as words ("in their thirties")
DECADE_WORDS = {
    "teens": 10, "twenties": 20, "thirties": 30, "forties": 40, "fifties": 50,
    "sixties": 60, "seventies": 70, "eighties": 80, "nineties": 90,
}  # fmt: skip

#: words that start a request and may precede the count ("generate 500 ...")
COMMAND_WORDS = _word_list(
    "generate create make produce synthesize synthesise simulate give get show me i we need "
    "want would like please can you could sample draw build return fetch list provide let's "
    "lets us of an a"
)
#: nouns naming the rows themselves (the data context), never a column
ENTITY_WORDS = _word_list(
    "flights flight planes plane aircraft aircrafts airplanes trips orders transactions "
    "purchases products items cars vehicles houses homes properties loans accounts students "
    "companies stores visits events sessions people persons person individuals individual "
    "customers customer users user rows row records record samples sample entries entry "
    "examples example adults adult folks respondents respondent employees employee workers "
    "worker citizens citizen residents resident clients client patients patient members "
    "member subjects subject profiles profile observations observation readings reading "
    "measurements measurement days day data dataset points point instances instance cases "
    "case lines line households household applicants applicant candidates candidate humans "
    "human ones weather conditions condition hours"
)
#: words carrying no condition
STOP_WORDS = _word_list(
    "ranging range ranges varying up roles role positions position out by onto into the a an of who whose that which are is "
    "were was be been being have has had having with whom where when do does did to for their "
    "they them there those these this it its all any some please also only just both either "
    "per each as on by than then while currently living live lives work works working "
    "employed job jobs sector industry field status level degree degrees holder holders "
    "graduate graduates born earn earns earning earnings make makes making paid get gets "
    "getting kind type category value values recorded observed measured reading readings like "
    "such around roughly approximately about i me we need want generate create give synthetic "
    "fake random new more records rows samples entries hour hours time times days day use "
    "during within still listed those ones whose over all dataset set table total using "
    "column columns instead mean meant please thanks ok okay yes hourly daily weekly monthly"
)

#: prompt word -> column-name tokens it may stand for (a column matches when one of its
#: name tokens equals one of these)
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {}
_CONCEPTS: list[tuple[str, str]] = [
    ("age", "age aged old older oldest young younger youngest years year-old yo elderly ages"),
    ("sex gender", "sex gender genders sexes"),
    (
        "income salary wage wages pay earnings earning revenue",
        "income incomes salary salaries wage wages pay paid earn earns earning earnings "
        "making make makes revenue earner earners rich wealthy affluent poor",
    ),
    ("hours hour", "hours hrs"),
    (
        "temp temperature",
        "temperature temperatures temp temps degrees warm warmer hot hotter "
        "cold colder cool cooler fahrenheit celsius f degf degc",
    ),
    ("humid humidity", "humidity humid"),
    ("speed", "mph kph knots speed"),
    ("wind", "wind winds windy windier"),
    ("gust gusts", "gust gusts gusty"),
    (
        "precip precipitation rain rainfall",
        "precipitation precip rain rainy rainfall raining inches wet",
    ),
    ("visib visibility vis", "visibility visible visib vis miles foggy fog"),
    ("distance dist miles", "distance far miles long longer shorter km kilometers"),
    ("year", "built manufactured made year years"),
    ("dewp dew dewpoint", "dew dewpoint dewp point"),
    ("pressure", "pressure barometric millibars mb hpa"),
    ("dir direction", "direction directions bearing"),
    ("country nationality", "country countries nationality nation"),
    ("state", "state states"),
    ("city", "city cities town"),
    ("education edu", "education educated schooling"),
    ("occupation job profession", "occupation occupations profession jobs job"),
    ("race ethnicity", "race races ethnicity ethnic"),
    ("marital married", "marital"),
    ("gain gains", "gain gains"),
    ("loss losses", "loss losses"),
    ("price cost amount", "price priced cost costs costing amount spend spending"),
    ("month", "month months"),
    ("date time timestamp datetime", "date dates dated timestamp"),
    (
        "signup registration registered join joined created creation start",
        "signed signup registered registration joined join created started",
    ),
    ("origin", "origin departing departure airport airports"),
    ("dep departure", "departing departure depart departs departed leaving leave leaves left"),
    ("arr arrival", "arriving arrival arrive arrives arrived"),
    ("dest destination", "destination arriving arrival"),
    ("carrier airline", "carrier airline airlines"),
    ("delay", "delay delayed delays late"),
    ("distance", "distance far"),
]
for _targets, _words in _CONCEPTS:
    for _word in _words.split():
        COLUMN_SYNONYMS[_word] = tuple(
            dict.fromkeys(COLUMN_SYNONYMS.get(_word, ()) + tuple(_targets.split()))
        )

#: words after a number that are units, not the rows ("50 years", "20 mph", "40 hours")
UNIT_WORDS = _word_list(
    "gb mb tb kb ghz mhz cm mm kg kgs lb lbs pounds grams g liters litres ml sq ft feet "
    "years year yrs yo old hours hrs hour degrees degree deg f fahrenheit celsius mph kph "
    "knots miles mile inches inch in percent dollars dollars usd bucks mb millibars hpa "
    "minutes mins km kilometers"
)

#: groups of words meaning the same value; a label matches a prompt word of its group
VALUE_ALIASES: list[tuple[str, ...]] = [
    ("female", "females", "woman", "women", "f", "ladies", "lady", "girls", "girl", "feminine"),
    ("male", "males", "man", "men", "m", "guys", "guy", "boys", "boy", "gentlemen"),
    ("yes", "true", "y", "1"),
    ("no", "false", "n", "0"),
    ("never married", "single", "singles", "unwed"),
    ("doctorate", "phd", "phds", "doctoral", "doctorates"),
    (
        "hs grad",
        "high school",
        "high school graduate",
        "high school graduates",
        "hs",
        "high school grads",
        "high school diploma",
    ),
    ("masters", "master's", "master", "msc", "ma"),
    (
        "bachelors",
        "bachelor",
        "bachelor's",
        "ba",
        "bsc",
        "college degree",
        "college graduates",
        "college grads",
    ),
    ("united states", "us", "usa", "u.s.", "america", "american", "americans", "u.s.a."),
    ("united kingdom", "uk", "britain", "great britain", "british", "england"),
]

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "district of columbia": "DC",
}  # fmt: skip

#: airport names people write -> IATA code
AIRPORTS = {
    "newark": "EWR", "newark liberty": "EWR", "laguardia": "LGA", "la guardia": "LGA",
    "kennedy": "JFK", "jfk": "JFK", "john f kennedy": "JFK", "o'hare": "ORD", "ohare": "ORD",
    "midway": "MDW", "los angeles": "LAX", "lax": "LAX", "san francisco": "SFO",
    "atlanta": "ATL", "hartsfield": "ATL", "dallas": "DFW", "denver": "DEN",
    "seattle": "SEA", "boston": "BOS", "logan": "BOS", "miami": "MIA", "orlando": "MCO",
    "las vegas": "LAS", "phoenix": "PHX", "houston": "IAH", "charlotte": "CLT",
    "detroit": "DTW", "minneapolis": "MSP", "philadelphia": "PHL", "dulles": "IAD",
    "reagan": "DCA", "heathrow": "LHR",
}  # fmt: skip

#: airline names people write -> IATA airline code
AIRLINES = {
    "united": "UA", "united airlines": "UA", "american airlines": "AA", "delta": "DL",
    "delta air lines": "DL", "delta airlines": "DL", "jetblue": "B6", "southwest": "WN",
    "alaska airlines": "AS", "frontier": "F9", "spirit": "NK", "hawaiian": "HA",
    "hawaiian airlines": "HA", "us airways": "US", "envoy": "MQ", "expressjet": "EV",
    "endeavor": "9E", "skywest": "OO", "virgin america": "VX", "airtran": "FL", "mesa": "YV",
    "allegiant": "G4", "lufthansa": "LH", "british airways": "BA", "air france": "AF",
}  # fmt: skip

#: day names and abbreviations -> ISO weekday (1 = Monday)
WEEKDAYS = {
    "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3,
    "weds": 3, "thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "friday": 5, "fri": 5,
    "saturday": 6, "sat": 6, "sunday": 7, "sun": 7,
}  # fmt: skip
#: groups of days -> ISO weekdays
DAY_GROUPS = {
    "weekend": (6, 7), "weekends": (6, 7), "weekday": (1, 2, 3, 4, 5),
    "weekdays": (1, 2, 3, 4, 5), "workday": (1, 2, 3, 4, 5), "workdays": (1, 2, 3, 4, 5),
}  # fmt: skip

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
SEASONS = {
    "winter": (12, 1, 2), "spring": (3, 4, 5), "summer": (6, 7, 8), "fall": (9, 10, 11),
    "autumn": (9, 10, 11),
}  # fmt: skip
#: parts of the day -> inclusive hour ranges (on a column named hour)
DAY_PARTS: dict[str, tuple[int, ...]] = {
    "morning": (6, 11), "afternoon": (12, 17), "evening": (18, 21),
}  # fmt: skip
#: hours of the night (a list: the range wraps around midnight)
NIGHT_HOURS = (21, 22, 23, 0, 1, 2, 3, 4, 5)
QUARTERS = {"q1": (1, 2, 3), "q2": (4, 5, 6), "q3": (7, 8, 9), "q4": (10, 11, 12)}
#: words that pick the top or the bottom label of a column whose labels are ranges
#: ("high earners" -> income ">50K"); some also imply a money column
LEVEL_WORDS = {
    "high": "top", "higher": "top", "top": "top", "rich": "top", "wealthy": "top",
    "affluent": "top", "low": "bottom", "lower": "bottom", "poor": "bottom",
}  # fmt: skip
#: people's age groups -> (operator, value) on an age column; used only when the prompt gives
#: no explicit age ("seniors over 75" means over 75)
AGE_GROUPS: dict[str, tuple[str, object]] = {
    "teenagers": ("between", (13, 19)), "teenager": ("between", (13, 19)),
    "teens": ("between", (13, 19)), "seniors": ("gte", 65), "senior": ("gte", 65),
    "elderly": ("gte", 65), "retirees": ("gte", 65), "retiree": ("gte", 65),
    "pensioners": ("gte", 65), "middle-aged": ("between", (45, 64)),
    "children": ("lt", 18), "kids": ("lt", 18), "minors": ("lt", 18),
    "young-adults": ("between", (18, 24)),
}  # fmt: skip
#: words that only intensify ("very windy", "heavy rain")
INTENSIFIERS = _word_list(
    "very really extremely quite heavy heavily strong strongly severe light slightly"
)

#: a membership word -> the column-name tokens of columns it usually points to, for values
#: the schema did not record ("flights to LAX" -> dest)
MARKER_CONCEPTS = {
    "to": ("dest", "destination", "to", "target"),
    "from": ("origin", "source", "from", "departure"),
    "at": ("origin", "location", "site", "station", "airport", "store", "branch"),
    "in": ("state", "city", "country", "region", "location", "county", "province"),
    "by": ("manufacturer", "maker", "brand", "make", "author", "carrier", "vendor"),
}

#: comparison words -> operator, and the column concept word they imply ("older" -> age)
COMPARATORS: dict[str, tuple[str, str | None]] = {
    "over": ("gt", None), "above": ("gt", None), "more than": ("gt", None),
    "greater than": ("gt", None), "higher than": ("gt", None), "bigger than": ("gt", None),
    "larger than": ("gt", None), "exceeding": ("gt", None), "exceeds": ("gt", None),
    "in excess of": ("gt", None), "beyond": ("gt", None), "past": ("gt", None),
    "older than": ("gt", "older"), "warmer than": ("gt", "warmer"),
    "longer than": ("gt", "longer"), "shorter than": ("lt", "shorter"),
    "later than": ("gt", None), "earlier than": ("lt", None), "after": ("gt", None),
    "before": ("lt", None), "heavier than": ("gt", None), "lighter than": ("lt", None),
    "cheaper than": ("lt", "cheaper"), "more expensive than": ("gt", "expensive"),
    "costing more than": ("gt", "costing"), "costing less than": ("lt", "costing"),
    "hotter than": ("gt", "hotter"), "windier than": ("gt", "windier"),
    "under": ("lt", None), "below": ("lt", None), "less than": ("lt", None),
    "fewer than": ("lt", None), "lower than": ("lt", None), "smaller than": ("lt", None),
    "beneath": ("lt", None), "younger than": ("lt", "younger"), "colder than": ("lt", "colder"),
    "cooler than": ("lt", "cooler"),
    "at least": ("gte", None), "no less than": ("gte", None), "not less than": ("gte", None),
    "no fewer than": ("gte", None), "minimum of": ("gte", None), "min": ("gte", None),
    "minimum": ("gte", None),
    "at most": ("lte", None), "no more than": ("lte", None), "not more than": ("lte", None),
    "up to": ("lte", None), "maximum of": ("lte", None), "max": ("lte", None),
    "maximum": ("lte", None), "not over": ("lte", None), "not above": ("lte", None),
    "exactly": ("eq", None), "equal to": ("eq", None), "equals": ("eq", None),
    "!=": ("ne", None), "<>": ("ne", None), ">": ("gt", None), ">=": ("gte", None), "<": ("lt", None), "<=": ("lte", None),
    "=": ("eq", None), "==": ("eq", None), "≥": ("gte", None), "≤": ("lte", None),
}  # fmt: skip
#: comparisons written after the number ("50 or older", "21 and over", "65+")
SUFFIX_COMPARATORS = {
    "or more": "gte", "or older": "gte", "or over": "gte", "or above": "gte",
    "or higher": "gte", "or greater": "gte", "and up": "gte", "and over": "gte",
    "and above": "gte", "and older": "gte", "or later": "gte", "+": "gte", "plus": "gte",
    "or less": "lte", "or fewer": "lte", "or younger": "lte", "or under": "lte",
    "or below": "lte", "or lower": "lte", "and under": "lte", "and below": "lte",
    "and younger": "lte", "or earlier": "lte",
}  # fmt: skip
#: words that negate what follows
NEGATIONS = (
    "not", "non", "no", "without", "outside", "outside of", "not from", "anything but", "except", "excluding", "exclude", "other than",
    "but not", "isn't", "aren't", "nobody", "none", "neither", "nor", "don't",
    "doesn't", "apart from", "besides", "excluded",
)  # fmt: skip

#: duration unit words -> their length in minutes ("over 2 hours", "90 minutes")
DURATION_UNITS: dict[str, int] = {
    "minute": 1, "minutes": 1, "min": 1, "mins": 1, "hour": 60, "hours": 60, "hr": 60,
    "hrs": 60, "day": 1_440, "days": 1_440, "week": 10_080, "weeks": 10_080,
}  # fmt: skip
#: column-name tokens -> the duration unit the column holds: a unit written in the name
#: ("minutes_played", "hours-per-week", "wks") or the usual unit of the concept (flight and
#: transport delays are recorded in minutes)
COLUMN_DURATION_UNITS: dict[str, str] = {
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "hours": "hour", "hrs": "hour", "hr": "hour", "days": "day", "weeks": "week",
    "wks": "week", "delay": "minute", "delays": "minute",
}  # fmt: skip
