"""Demo customer records: realistic UK-style people for the demo office and the benchmarks.

The generator is deterministic for a seed so that a benchmark test set built from one run
(bench/search_queries.csv) still points at the same people on every machine. Names are
drawn with weights (a few very common names and a long tail), because name matching is
only tested honestly when "John Smith" occurs hundreds of times in a million records.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from nicknames import NickNamer

_CHUNK = 4096  # people drawn per batch: batch draws make 1,000,000 people take seconds
_POSTCODES = 85_000  # about twelve people per postcode at a million, as on real estates


@dataclass(frozen=True)
class DemoPerson:
    """One customer record as the demo office and the benchmarks see it."""

    forenames: str
    surname: str
    aliases: tuple[str, ...]
    date_of_birth: date | None
    address: str
    postcode: str
    tenancy_ref: str


# fmt: off
# Surnames roughly in order of frequency in England and Wales, with the UK's main
# communities (South Asian, Polish, Irish, Welsh, Black African and Caribbean, Chinese,
# Somali, Romanian, Portuguese, Turkish, Greek, Italian) mixed into the tail.
SURNAMES: tuple[str, ...] = tuple(dict.fromkeys((
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews",
    "Stewart", "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day",
    "Brooks", "West", "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson",
    "Ball", "Burton", "O'Brien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells",
    "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster",
    "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons",
    "Berry", "Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter", "Robertson", "Newton",
    "Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner", "Shah", "Dean", "Lane",
    "Cooke", "Bates", "Henderson", "Parry", "Burgess", "Bishop", "Walton", "Burns", "Nicholson",
    "Shepherd", "Ross", "Cross", "Long", "Freeman", "Warren", "Nicholls", "Hamilton", "Byrne",
    "Sutton", "McDonald", "Yates", "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor",
    "Harper", "Coleman", "Watkins", "Moss", "McCarthy", "Chambers", "O'Neill", "Griffin",
    "Sharp", "Hardy", "Wheeler", "Potter", "Osborne", "Johnston", "Gordon", "Doyle", "Wallace",
    "George", "Jordan", "Hutchinson", "Rowe", "Burke", "May", "Pritchard", "Gilbert", "Willis",
    "Higgins", "Read", "Miles", "Stevenson", "Stephenson", "Hammond", "Arnold", "Buckley",
    "Walters", "Hewitt", "Barber", "Nelson", "Slater", "Austin", "Sullivan", "Whitehead",
    "Mann", "Frost", "Lambert", "Stephens", "Blake", "Akhtar", "Lynch", "Goodwin", "Barton",
    "Woodward", "Thomson", "Cunningham", "Quinn", "Barnett", "Baxter", "Bibi", "Clayton",
    "Nash", "Greenwood", "Jennings", "Holt", "Kemp", "Poole", "Gallagher", "Bond", "Stokes",
    "Tucker", "Davidson", "Fowler", "Heath", "Norman", "Middleton", "Lawson", "Banks",
    "French", "Stanley", "Jarvis", "Gibbs", "Ferguson", "Hayward", "Carroll", "Douglas",
    "Dickinson", "Todd", "Barlow", "Peters", "Lucas", "Knowles", "Hartley", "Miah", "Simmons",
    "Morton", "Alexander", "Field", "Morrison", "Norris", "Townsend", "Preston", "Hancock",
    "Thornton", "Baldwin", "Burrows", "Briggs", "Storey", "Pope", "Fraser", "Dennis",
    "Rahman", "Islam", "Uddin", "Chowdhury", "Mahmood", "Iqbal", "Hassan", "Mohammed",
    "Malik", "Aslam", "Sharma", "Gupta", "Kumar", "Mistry", "Chauhan", "Parmar", "Solanki",
    "Sandhu", "Dhillon", "Sidhu", "Bains", "Nowak", "Kowalski", "Wiśniewski", "Wójcik",
    "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Dąbrowski",
    "Popescu", "Ionescu", "Mensah", "Okafor", "Adeyemi", "Okonkwo", "Boateng", "Asante",
    "Owusu", "Abdi", "Mohamed", "Osman", "Yusuf", "Farah", "Warsame", "Nguyen", "Chen", "Wong",
    "Li", "Zhang", "Wang", "Ó Briain", "O'Sullivan", "Ní Bhriain", "MacLeod", "McKenzie",
    "Fitzgerald", "Brennan", "Da Silva", "Santos", "Pereira", "Ferreira", "Oliveira", "Costa",
    "Rodrigues", "Yılmaz",  # noqa: RUF001 - Turkish dotless i is the real spelling
    "Demir", "Kaya", "Şahin", "Papadopoulos", "Rossi", "Russo",
    "Esposito", "Müller", "Schmidt", "Llewellyn", "Pugh", "Powell", "Bowen", "Vaughan",
    "Prosser", "Gwynne", "ap Rhys", "Campbell-Black", "Forbes", "McLaughlin", "Docherty",
    "Devlin", "McGowan", "Duffy", "Kavanagh", "Nolan", "Power", "Regan", "Connolly", "Sheridan",
    "Clements", "Cartwright", "Pickering", "Lockwood", "Sykes", "Ackroyd", "Haigh", "Crowther",
    "Fairclough", "Entwistle", "Ramsbottom", "Greenhalgh", "Whittaker", "Brierley", "Hargreaves",
    "Pemberton", "Cheetham", "Oldham", "Ashworth", "Butterworth", "Kershaw", "Openshaw",
    "Lord", "Bright", "Joseph", "Henry", "Charles", "Campbell", "Grant", "Francis", "Daley",
    "Bryan", "Forde", "Gayle", "Beckford", "Samuels", "Brathwaite", "Mcintosh", "Wedderburn",
    "Achterberg", "Bianchi", "Nakamura", "Tanaka", "Kim", "Park", "Ahmadi", "Karimi", "Hosseini",
    "Rezaei", "Mahmoud", "Haddad", "Saleh", "Abdullah", "Ibrahim", "Suleiman", "Tesfaye",
    "Haile", "Kebede", "Mwangi", "Otieno", "Kamau", "Dlamini", "Ndlovu", "Moyo", "Chikwanha",
)))

# Surnames that only occur double-barrelled, on top of the random hyphenated pairs below.
DOUBLE_BARRELLED: tuple[str, ...] = (
    "Lloyd Webber", "Vaughan Williams", "Bowes-Lyon", "Smith-Jones", "Heath-Stubbs",
    "Baden-Powell", "Rees-Mogg", "Bonham Carter", "Lloyd George", "Ap Gwilym",
    "Bradford-Smith", "Oxley-Green", "Price-Davies", "Hughes-Hallett", "Fox-Talbot",
    "Ellis-Bextor", "Cholmondeley-Warner", "Ward-Prowse", "Alexander-Arnold", "Loftus-Cheek",
)

# Forenames: common English names first, then Welsh, Irish, Scottish, South Asian, Polish,
# African, Caribbean, Chinese, Somali, Romanian and Portuguese names, accents included.
MALE_FORENAMES: tuple[str, ...] = (
    "John", "David", "Michael", "Paul", "Andrew", "Mark", "James", "Peter", "Robert", "Richard",
    "Stephen", "Christopher", "William", "Thomas", "Daniel", "Anthony", "Ian", "Kevin", "Gary",
    "Steven", "Matthew", "Simon", "Jason", "Darren", "Lee", "Craig", "Martin", "Alan", "Brian",
    "Kenneth", "George", "Jack", "Harry", "Oliver", "Charlie", "Joshua", "Samuel", "Ryan",
    "Liam", "Adam", "Luke", "Jamie", "Benjamin", "Nathan", "Callum", "Connor", "Jordan",
    "Dean", "Wayne", "Shaun", "Keith", "Graham", "Colin", "Trevor", "Barry", "Terence",
    "Raymond", "Roy", "Dennis", "Frederick", "Albert", "Arthur", "Ernest", "Harold", "Leonard",
    "Stanley", "Norman", "Edward", "Joseph", "Patrick", "Francis", "Philip", "Geoffrey",
    "Nicholas", "Timothy", "Jonathan", "Alexander", "Henry", "Alfie", "Archie", "Leo",
    "Noah", "Muhammad", "Mohammed", "Mohammad", "Ahmed", "Ali", "Omar", "Yusuf", "Ibrahim",
    "Hassan", "Bilal", "Imran", "Tariq", "Arjun", "Rajesh", "Sanjay", "Vijay", "Harpreet",
    "Gurpreet", "Jaspreet", "Mandeep", "Kuldip", "Rahul", "Amit", "Łukasz", "Paweł", "Michał",
    "Piotr", "Krzysztof", "Tomasz", "Jakub", "Marek", "Kwame", "Kofi", "Chidi", "Emeka",
    "Oluwaseun", "Tunde", "Abdullahi", "Mustafa", "Dafydd", "Rhodri", "Gareth", "Rhys",
    "Emyr", "Iwan", "Seán", "Ciarán", "Pádraig", "Eoin", "Cathal", "Declan", "Ruairí", "Angus",
    "Hamish", "Alasdair", "Wei", "Jun", "Thanh", "Minh", "Ion", "Andrei", "Mihai", "João",
    "José", "André", "Gonçalo", "Mehmet", "Emre", "Dimitrios", "Giuseppe", "Marco", "Kai",
    "Winston", "Delroy", "Errol", "Clive", "Leroy", "Desmond", "Reuben", "Elijah", "Isaac",
    "Theo", "Freddie", "Toby", "Max", "Sebastian", "Dominic", "Aaron", "Jake", "Tyler",
    "Reece", "Kieran", "Bradley", "Ashley", "Carl", "Neil", "Stuart", "Russell", "Derek",
    "Malcolm", "Gordon", "Douglas", "Hugh", "Nigel", "Clifford", "Cyril", "Walter", "Sidney",
    "Herbert", "Wilfred", "Reginald", "Percy", "Gerald", "Bernard", "Vincent", "Lawrence",
)
FEMALE_FORENAMES: tuple[str, ...] = (
    "Sarah", "Susan", "Margaret", "Patricia", "Elizabeth", "Mary", "Karen", "Julie", "Linda",
    "Helen", "Nicola", "Emma", "Claire", "Lisa", "Michelle", "Jennifer", "Rachel", "Amanda",
    "Deborah", "Jacqueline", "Catherine", "Christine", "Joanne", "Kelly", "Laura", "Louise",
    "Rebecca", "Samantha", "Stephanie", "Victoria", "Hannah", "Jessica", "Charlotte", "Amy",
    "Lauren", "Sophie", "Emily", "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Lily",
    "Ella", "Poppy", "Isabella", "Sophia", "Freya", "Evie", "Chloe", "Ruby", "Megan", "Jade",
    "Gemma", "Kirsty", "Leanne", "Danielle", "Natalie", "Donna", "Tracey", "Dawn", "Wendy",
    "Sharon", "Angela", "Janet", "Pauline", "Carol", "Barbara", "Jean", "Joan", "Dorothy",
    "Doris", "Irene", "Eileen", "Maureen", "Brenda", "Sheila", "Valerie", "Gillian", "Ann",
    "Anne", "Alexandra", "Katherine", "Kathleen", "Florence", "Edith", "Winifred", "Gladys",
    "Alice", "Rose", "Zoë", "Chloé", "Renée", "Siân", "Siobhán", "Aoife", "Niamh", "Caoimhe",
    "Sinéad", "Róisín", "Bríd", "Eleri", "Gwenllïan", "Cerys", "Ffion", "Bethan", "Rhiannon",
    "Seren", "Eilidh", "Morag", "Kirsteen", "Fatima", "Aisha", "Ayesha", "Zainab", "Maryam",
    "Amina", "Nadia", "Sana", "Saima", "Nasreen", "Shazia", "Rukhsana", "Priya", "Anjali",
    "Sunita", "Pooja", "Neha", "Harpreet", "Gurpreet", "Jaspreet", "Manjit", "Sukhwinder",
    "Agnieszka", "Małgorzata", "Katarzyna", "Anna", "Magdalena", "Joanna", "Ewa", "Zofia",
    "Ngozi", "Chinwe", "Adaeze", "Temitope", "Abena", "Akosua", "Ama", "Hodan", "Fadumo",
    "Ifrah", "Mei", "Ling", "Xin", "Hoa", "Ioana", "Elena", "Andreea", "Mihaela", "Inês",
    "Beatriz", "Ana", "Maria", "Ayşe", "Elif", "Eleni", "Giulia", "Francesca", "Marcia",
    "Beverley", "Yvonne", "Sonia", "Hyacinth", "Precious", "Blessing", "Esther", "Ruth",
    "Naomi", "Leah", "Abigail", "Eleanor", "Harriet", "Phoebe", "Matilda", "Imogen", "Holly",
    "Molly", "Katie", "Lucy", "Georgia", "Courtney", "Shannon", "Chantelle", "Kayleigh",
    "Stacey", "Vicky", "Caroline", "Fiona", "Alison", "Jane", "Jill", "Lesley", "Lorraine",
    "Marion", "Sylvia", "Hilda", "Ethel", "Vera", "Mabel", "Beryl", "Muriel", "Phyllis",
)

# Postcode areas with the post town and a range of district numbers that really exist
# (approximately). The East Midlands come first: the demo office is in Derby.
POSTCODE_AREAS: tuple[tuple[str, str, int, int], ...] = (
    ("DE", "Derby", 1, 75), ("NG", "Nottingham", 1, 34), ("LE", "Leicester", 1, 19),
    ("S", "Sheffield", 1, 36), ("B", "Birmingham", 1, 48), ("M", "Manchester", 1, 35),
    ("LS", "Leeds", 1, 29), ("ST", "Stoke-on-Trent", 1, 21), ("CV", "Coventry", 1, 11),
    ("BD", "Bradford", 1, 24), ("L", "Liverpool", 1, 38), ("CF", "Cardiff", 3, 24),
    ("NE", "Newcastle upon Tyne", 1, 29), ("BS", "Bristol", 1, 16), ("E", "London", 1, 18),
    ("N", "London", 1, 22), ("SE", "London", 1, 28), ("LU", "Luton", 1, 7),
    ("PE", "Peterborough", 1, 9), ("WV", "Wolverhampton", 1, 14),
)
# The last two letters of a postcode never use C, I, K, M, O or V.
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

STREET_NAMES: tuple[str, ...] = (
    "Station", "Church", "Victoria", "Park", "Queen's", "King's", "Mill", "Green", "Manor",
    "Albert", "Grange", "Springfield", "Chapel", "Windsor", "Highfield", "Oak", "Elm",
    "Ash", "Beech", "Cedar", "Willow", "Meadow", "Orchard", "School", "North", "South",
    "Osmaston", "Normanton", "Abbey", "Burton", "Ashbourne", "Uttoxeter", "Kedleston",
    "Duffield", "Nottingham", "Alfreton", "London", "Derwent", "Trent", "Sherwood", "Byron",
    "Tennyson", "Shakespeare", "Milton", "Wordsworth", "Chaucer", "Nightingale", "Brunel",
    "Stephenson", "Arkwright", "Strutt", "Wilmot", "Cavendish", "Curzon", "Harrington",
    "Peveril", "Bateman", "Markeaton", "Allestree", "Littleover", "Mickleover", "Sinfin",
    "Chaddesden", "Spondon", "Alvaston", "Chellaston", "Darley", "Belper", "Matlock",
)
STREET_KINDS: tuple[str, ...] = (
    "Road", "Street", "Avenue", "Close", "Lane", "Drive", "Way", "Crescent", "Grove",
    "Gardens", "Terrace", "Court", "Walk", "Place", "Rise",
)
FLAT_BLOCKS: tuple[str, ...] = (
    "Rivermead House", "Jubilee Court", "Coronation Buildings", "Phoenix House",
    "Bemrose Court", "Cathedral View", "Silk Mill House", "Parkview Tower",
)
# fmt: on


def _zipf_weights(count: int, exponent: float = 1.0, offset: float = 25.0) -> list[float]:
    """Cumulative weights: a few very common entries and a long tail, like real names."""
    return list(accumulate(1.0 / (rank + offset) ** exponent for rank in range(count)))


_SURNAME_CW = _zipf_weights(len(SURNAMES))
_MALE_CW = _zipf_weights(len(MALE_FORENAMES), offset=10.0)
_FEMALE_CW = _zipf_weights(len(FEMALE_FORENAMES), offset=10.0)
_MIDDLE_FROM = 80  # middle names come from the common (English) head of each list
_FIRST_DOB = date(1935, 1, 1)
_DOB_SPAN_DAYS = (date(2007, 12, 31) - _FIRST_DOB).days


def _postcode_pool(rng: random.Random, size: int) -> list[tuple[str, str]]:
    """Distinct (postcode, street) pairs; many households share a postcode, as on an estate."""
    area_cw = list(accumulate(1.0 / (rank + 1) for rank in range(len(POSTCODE_AREAS))))
    seen: set[str] = set()
    pool: list[tuple[str, str]] = []
    while len(pool) < size:
        area, town, low, high = rng.choices(POSTCODE_AREAS, cum_weights=area_cw)[0]
        district = rng.randint(low, high)
        postcode = (
            f"{area}{district} {rng.randint(0, 9)}"
            f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        )
        if postcode in seen:
            continue
        seen.add(postcode)
        street = f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}, {town}"
        pool.append((postcode, street))
    return pool


class _Generator:
    """Holds the random state and the lookups shared by every batch of people."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # The pool does not depend on how many people are asked for, so the first
        # thousand people are the same whether 1,000 or 1,000,000 are generated.
        self.postcodes = _postcode_pool(random.Random(seed + 1), _POSTCODES)
        self.nicknamer = NickNamer()
        self.made = 0

    def _known_as(self, forename: str) -> str | None:
        """A nickname the person goes by, from the maintained nicknames dataset."""
        options = sorted(self.nicknamer.nicknames_of(forename))
        if not options:
            return None
        return self.rng.choice(options).title()

    def _surname(self, drawn: str) -> str:
        roll = self.rng.random()
        if roll < 0.02:
            other = self.rng.choices(SURNAMES, cum_weights=_SURNAME_CW)[0]
            return drawn if other == drawn else f"{drawn}-{other}"
        if roll < 0.025:
            return self.rng.choice(DOUBLE_BARRELLED)
        return drawn

    def batch(self, k: int) -> Iterator[DemoPerson]:
        rng = self.rng
        surnames = rng.choices(SURNAMES, cum_weights=_SURNAME_CW, k=k)
        males = rng.choices(MALE_FORENAMES, cum_weights=_MALE_CW, k=k)
        females = rng.choices(FEMALE_FORENAMES, cum_weights=_FEMALE_CW, k=k)
        middles_m = rng.choices(
            MALE_FORENAMES[:_MIDDLE_FROM], cum_weights=_MALE_CW[:_MIDDLE_FROM], k=k
        )
        middles_f = rng.choices(
            FEMALE_FORENAMES[:_MIDDLE_FROM], cum_weights=_FEMALE_CW[:_MIDDLE_FROM], k=k
        )
        household: tuple[str, str, str] | None = None  # surname, address, postcode
        for i in range(k):
            female = rng.random() < 0.52
            forename = females[i] if female else males[i]
            middle = middles_f[i] if female else middles_m[i]
            forenames = forename
            if rng.random() < 0.22 and middle != forename:
                forenames = f"{forename} {middle}"
            surname = self._surname(surnames[i])
            if household is not None and rng.random() < 0.35:
                # Same household as the previous person: same address, usually same surname.
                if rng.random() < 0.75:
                    surname = household[0]
                address, postcode = household[1], household[2]
            else:
                postcode, street = rng.choice(self.postcodes)
                if rng.random() < 0.15:
                    address = f"Flat {rng.randint(1, 60)}, {rng.choice(FLAT_BLOCKS)}, {street}"
                else:
                    address = f"{rng.randint(1, 240)} {street}"
            household = (surname, address, postcode)

            aliases: list[str] = []
            dob: date | None = None
            if rng.random() < 0.985:
                dob = _FIRST_DOB + timedelta(days=rng.randint(0, _DOB_SPAN_DAYS))
            if female and rng.random() < 0.08 and (dob is None or dob.year < 1995):
                maiden = rng.choices(SURNAMES, cum_weights=_SURNAME_CW)[0]
                if maiden != surname:
                    aliases.append(f"{forename} {maiden}")
            if rng.random() < 0.05:
                nickname = self._known_as(forename)
                if nickname is not None and nickname != forename:
                    aliases.append(f"{nickname} {surname}")
            if rng.random() < 0.005:
                other_forename = rng.choice(FEMALE_FORENAMES if female else MALE_FORENAMES)
                other_surname = rng.choice(SURNAMES)
                aliases.append(f"{other_forename} {other_surname}")

            self.made += 1
            yield DemoPerson(
                forenames=forenames,
                surname=surname,
                aliases=tuple(aliases),
                date_of_birth=dob,
                address=address,
                postcode=postcode,
                tenancy_ref=f"T{self.made:07d}",
            )


def generate_people(n: int, seed: int = 20261124) -> Iterator[DemoPerson]:
    """Yield n demo people, the same people for the same seed on every machine.

    The sequence is stable: generate_people(1000) is the first thousand of
    generate_people(1_000_000), so a test set built at one size still applies at another.

    Tenancy references run T0000001, T0000002, ... and are unique. Households share an
    address and postcode; about 2% of surnames are hyphenated, a few are double-barrelled;
    some people carry aliases (a maiden name, a known-as nickname, an unrelated alias).
    """
    if n < 0:
        raise ValueError(f"number of people must not be negative, got {n}")
    generator = _Generator(seed)
    remaining = n
    while remaining > 0:
        # Always draw a whole chunk, so the random stream does not depend on n.
        for person in generator.batch(_CHUNK):
            if remaining == 0:
                break
            remaining -= 1
            yield person


__all__ = ["DemoPerson", "generate_people"]
