package dataset

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"touchbase/fake"
)

// pointSpec is one of the generated branches: its name, time zone and the
// locale its clients are drawn from.
type pointSpec struct {
	name, timezone, country string
	locale                  *locale
}

// The branches. A company "with many branches": twelve in Russia (Cyrillic
// names), eight elsewhere in Europe (Latin names). More than len(points)
// points get a numbered copy of the list ("Москва — Центр 2").
var points = []pointSpec{
	{"Москва — Центр", "Europe/Moscow", "RU", ru},
	{"Москва — Север", "Europe/Moscow", "RU", ru},
	{"Санкт-Петербург", "Europe/Moscow", "RU", ru},
	{"Казань", "Europe/Moscow", "RU", ru},
	{"Нижний Новгород", "Europe/Moscow", "RU", ru},
	{"Екатеринбург", "Asia/Yekaterinburg", "RU", ru},
	{"Новосибирск", "Asia/Novosibirsk", "RU", ru},
	{"Самара", "Europe/Samara", "RU", ru},
	{"Краснодар", "Europe/Moscow", "RU", ru},
	{"Ростов-на-Дону", "Europe/Moscow", "RU", ru},
	{"Пермь", "Asia/Yekaterinburg", "RU", ru},
	{"Владивосток", "Asia/Vladivostok", "RU", ru},
	{"London", "Europe/London", "GB", en},
	{"Manchester", "Europe/London", "GB", en},
	{"Berlin", "Europe/Berlin", "DE", de},
	{"München", "Europe/Berlin", "DE", de},
	{"Warszawa", "Europe/Warsaw", "PL", pl},
	{"Kraków", "Europe/Warsaw", "PL", pl},
	{"Riga", "Europe/Riga", "LV", en},
	{"Dublin", "Europe/Dublin", "IE", en},
}

// locale is what clients of one country look like.
type locale struct {
	code string // ru, en, de, pl

	// company names: a brand from a stem and a trade word, in a legal form
	stems, trades []string
	forms         []string
	formWeights   []int
	formAfter     bool // "Acme Ltd" (true) or "ООО «Acme»" (false)

	male, female, surnames []string
	feminine               func(string) string

	// phone numbers: country code, office area codes and mobile prefixes;
	// the local part starts with 0, which is never assigned to subscribers
	country        string
	areas, mobiles []string
	tags, notes    []string
	channels       []string
	channelWeights []int
	ticketTitles   []string
	manualComments []string
	touchNotes     []string
	skipNotes      []string
	holdNotes      []string
}

var ru = &locale{
	code: "ru",
	stems: []string{"Техно", "Строй", "Агро", "Мед", "Транс", "Энерго", "Торг", "Пром", "Инвест", "Софт",
		"Эко", "Металл", "Вита", "Альфа", "Север", "Восток", "Гранит", "Кедр", "Балт", "Нева",
		"Волга", "Урал", "Профи", "Мега", "Смарт", "Лес", "Авто", "Хим", "Фарм", "Электро",
		"Сибирь", "Байкал", "Алтай", "Кама", "Дон", "Ока", "Полюс", "Вектор", "Орион", "Атлант"},
	trades: []string{"Снаб", "Сервис", "Маркет", "Трейд", "Групп", "Логистик", "Проект", "Инжиниринг",
		"Систем", "Комплект", "Пласт", "Лайн", "Мастер", "Ресурс", "Опт", "Монтаж", "Стиль", "Дом", "Мир", "Плюс"},
	forms:       []string{"ООО", "АО", "ПАО", "ГК", "ИП"},
	formWeights: []int{70, 12, 2, 5, 11},
	male: []string{"Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай", "Павел", "Игорь", "Владимир",
		"Евгений", "Артём", "Роман", "Олег", "Максим", "Константин", "Юрий", "Виктор", "Григорий", "Фёдор", "Степан"},
	female: []string{"Елена", "Ирина", "Наталья", "Ольга", "Татьяна", "Мария", "Анна", "Светлана", "Юлия",
		"Екатерина", "Дарья", "Ксения", "Вера", "Людмила", "Алина", "Жанна", "Полина", "Софья", "Яна", "Зоя"},
	surnames: []string{"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов",
		"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
		"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
		"Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Фролов", "Александров", "Дмитриев", "Королёв",
		"Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
		"Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов"},
	feminine: func(s string) string {
		for _, suffix := range []string{"ов", "ев", "ёв", "ин"} {
			if strings.HasSuffix(s, suffix) {
				return s + "а"
			}
		}
		return s
	},
	country:        "7",
	areas:          []string{"495", "499", "812", "843", "831", "343", "383", "846", "861", "863", "342", "423"},
	mobiles:        []string{"916", "925", "903", "985", "921", "911", "981", "952", "962", "977"},
	tags:           []string{"опт", "розница", "производство", "horeca", "стройка", "it", "логистика", "медицина", "госзаказ", "newsletter", "vip-кандидат", "регионы"},
	channels:       []string{"telegram", "whatsapp", "email", "phone", "meeting", "other"},
	channelWeights: []int{34, 26, 20, 12, 5, 3},
	notes: []string{
		"Закупки раз в квартал, решение принимает собственник.",
		"Предпочитает звонки после 14:00.",
		"Работают по постоплате 30 дней.",
		"Интересуется доставкой в регионы.",
		"Перешли от конкурента в прошлом году.",
		"Бухгалтерия просит закрывающие документы до 5 числа.",
	},
	ticketTitles: []string{
		"Задержка поставки по заказу", "Не проходит вход в личный кабинет", "Ошибка в счёте-фактуре",
		"Брак в партии упаковки", "Не пришли закрывающие документы", "Курьер не дозвонился до склада",
		"Неверный адрес доставки в заказе", "Сбой синхронизации с 1С",
	},
	manualComments: []string{
		"Звонил, просит перезвонить после 15-го — ждут решения по бюджету.",
		"Встретились на выставке, интересуются новой линейкой.",
		"Отправил обновлённый прайс-лист, ждём обратной связи.",
		"Сменился ЛПР: теперь закупками занимается коммерческий директор.",
		"Просили счёт на предоплату 50%.",
		"Довольны последней поставкой, обещали рекомендовать нас партнёрам.",
	},
	touchNotes: []string{"Поблагодарили, обещали посмотреть.", "Ответили в тот же день.", "Переслал ЛПР.", "Попросили прислать КП.", "Без ответа, но прочитано."},
	skipNotes:  []string{"Клиент в отпуске.", "Неактуально для их профиля.", "Уже обсуждали на встрече.", "Попросили не писать до конца месяца."},
	holdNotes:  []string{"Отказались от предложения: бюджет не утверждён.", "Просили не беспокоить до конца аудита.", "Купили годовую лицензию — пауза в предложениях."},
}

var en = &locale{
	code: "en",
	stems: []string{"Brightwater", "Kingsbridge", "Oakfield", "Redhill", "Thameside", "Greenwich", "Camden", "Albion",
		"Highgate", "Northgate", "Ashford", "Westbury", "Harbourside", "Crown", "Elmstead", "Riverside",
		"Blackfriars", "Maple", "Windsor", "Clerkenwell", "Bankside", "Hampstead", "Marlow", "Ludgate",
		"Liffey", "Shannon", "Daugava", "Pennine", "Mersey", "Salford"},
	trades: []string{"Logistics", "Foods", "Engineering", "Consulting", "Digital", "Retail", "Supplies", "Design",
		"Print", "Systems", "Analytics", "Interiors", "Pharma", "Motors", "Hospitality", "Builders"},
	forms:       []string{"Ltd", "plc", "LLP", "& Co"},
	formWeights: []int{80, 5, 9, 6},
	formAfter:   true,
	male: []string{"James", "Oliver", "Harry", "George", "Jack", "Thomas", "William", "Charlie", "Daniel", "Samuel",
		"Arjun", "Mohammed", "Liam", "Conor", "Sean", "Janis", "Andris"},
	female: []string{"Amelia", "Olivia", "Isla", "Emily", "Sophie", "Grace", "Lily", "Charlotte", "Priya", "Fatima",
		"Chloe", "Hannah", "Aoife", "Siobhan", "Ilze", "Liga"},
	surnames: []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
		"Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
		"Clarke", "Khan", "Lewis", "Martin", "Cooper", "O'Neill", "Murphy", "Baker", "Byrne", "Kelly", "Berzins", "Ozols"},
	country:        "44",
	areas:          []string{"20 7946", "161 496"},
	mobiles:        []string{"7700 900"},
	tags:           []string{"wholesale", "retail", "manufacturing", "horeca", "construction", "it", "logistics", "healthcare", "public-sector", "newsletter"},
	channels:       []string{"email", "whatsapp", "phone", "meeting", "telegram", "other"},
	channelWeights: []int{40, 25, 20, 10, 4, 1},
	notes: []string{
		"Buys quarterly; the owner signs off.",
		"Prefers calls after 2 pm.",
		"Net 30 payment terms.",
		"Moved from a competitor last year.",
		"Finance wants invoices by the 5th of the month.",
	},
	ticketTitles: []string{
		"Delivery of the order is late", "Cannot sign in to the client portal", "Wrong VAT on the invoice",
		"Defective batch of packaging", "Closing documents not received", "Courier could not reach the warehouse",
		"Wrong delivery address on the order", "Invoices not syncing with Xero",
	},
	manualComments: []string{
		"Called; they asked to follow up after their board meeting.",
		"Met at the trade show, keen on the new range.",
		"Sent the updated price list, waiting for feedback.",
		"New decision maker: the operations director now signs off purchases.",
		"Happy with the last delivery; offered to act as a reference.",
	},
	touchNotes: []string{"Thanked us, will have a look.", "Replied the same day.", "Forwarded to the decision maker.", "Asked for a quote.", "No reply yet, message read."},
	skipNotes:  []string{"Client on holiday.", "Not relevant to their business.", "Already discussed in the meeting.", "Asked for no messages this month."},
	holdNotes:  []string{"Declined the offer: budget not approved.", "Asked for no contact until their audit is over.", "Bought the annual licence: no offers for a while."},
}

var de = &locale{
	code: "de",
	stems: []string{"Nordlicht", "Spree", "Isar", "Alpen", "Hansa", "Rhein", "Elbe", "Bergmann", "Sonnen",
		"Eichen", "Falken", "Stern", "Linden", "Adler", "Wald", "Brücken"},
	trades: []string{"Logistik", "Technik", "Bau", "Handel", "Service", "Systeme", "Druck", "Medizintechnik",
		"Software", "Energie", "Möbel", "Lebensmittel"},
	forms:       []string{"GmbH", "AG", "KG", "GmbH & Co. KG"},
	formWeights: []int{70, 8, 10, 12},
	formAfter:   true,
	male:        []string{"Lukas", "Jonas", "Maximilian", "Felix", "Paul", "Leon", "Jürgen", "Stefan", "Matthias", "Klaus"},
	female:      []string{"Anna", "Lena", "Sophie", "Marie", "Katrin", "Sabine", "Julia", "Jana", "Ute", "Brigitte"},
	surnames: []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
		"Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann"},
	country:        "49",
	areas:          []string{"30", "89"},
	mobiles:        []string{"151", "160", "170"},
	tags:           []string{"großhandel", "einzelhandel", "produktion", "horeca", "bau", "it", "logistik", "newsletter"},
	channels:       []string{"email", "phone", "whatsapp", "meeting", "telegram", "other"},
	channelWeights: []int{45, 25, 15, 10, 3, 2},
	notes:          []string{"Bestellt quartalsweise.", "Bitte nur vormittags anrufen.", "Zahlungsziel 30 Tage.", "Neuer Einkaufsleiter seit März."},
	ticketTitles:   []string{"Lieferung verspätet", "Login ins Kundenportal schlägt fehl", "Falsche Rechnung", "Beschädigte Ware", "Lieferschein fehlt"},
	manualComments: []string{"Rückruf nach der Messe vereinbart.", "Preisliste geschickt, wartet auf Feedback.", "Sehr zufrieden mit der letzten Lieferung."},
	touchNotes:     []string{"Hat sich bedankt.", "Antwort am selben Tag.", "An die Geschäftsführung weitergeleitet."},
	skipNotes:      []string{"Kunde im Urlaub.", "Für den Kunden nicht relevant."},
	holdNotes:      []string{"Angebot abgelehnt: kein Budget.", "Bitte keine Kontaktaufnahme bis Ende des Audits."},
}

var pl = &locale{
	code: "pl",
	stems: []string{"Wisła", "Mazowsze", "Bałtyk", "Tatry", "Orzeł", "Sokół", "Polmet", "Budimex", "Wawel",
		"Odra", "Warta", "Krak", "Lech", "Piast"},
	trades:      []string{"Logistyka", "Serwis", "Handel", "Budownictwo", "Systemy", "Druk", "Technika", "Meble", "Farm"},
	forms:       []string{"Sp. z o.o.", "S.A.", "s.c."},
	formWeights: []int{80, 8, 12},
	formAfter:   true,
	male:        []string{"Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Michał", "Łukasz", "Jakub", "Grzegorz", "Marcin"},
	female:      []string{"Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Magdalena", "Zofia", "Joanna"},
	surnames: []string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński",
		"Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski"},
	feminine: func(s string) string {
		if strings.HasSuffix(s, "ski") || strings.HasSuffix(s, "cki") {
			return strings.TrimSuffix(s, "i") + "a"
		}
		return s
	},
	country:        "48",
	areas:          []string{"22", "12"},
	mobiles:        []string{"501", "601", "691"},
	tags:           []string{"hurt", "detal", "produkcja", "horeca", "budowa", "it", "logistyka", "newsletter"},
	channels:       []string{"email", "phone", "whatsapp", "meeting", "telegram", "other"},
	channelWeights: []int{40, 30, 15, 10, 3, 2},
	notes:          []string{"Zamówienia co kwartał.", "Prosi o telefon po 14:00.", "Płatność 30 dni."},
	ticketTitles:   []string{"Opóźniona dostawa", "Nie działa logowanie do portalu", "Błąd na fakturze", "Uszkodzona partia towaru"},
	manualComments: []string{"Spotkanie na targach, zainteresowani nową ofertą.", "Wysłałem cennik, czekam na odpowiedź.", "Zadowoleni z ostatniej dostawy."},
	touchNotes:     []string{"Podziękowali.", "Odpowiedź tego samego dnia.", "Przekazane do zarządu."},
	skipNotes:      []string{"Klient na urlopie.", "Nieistotne dla klienta."},
	holdNotes:      []string{"Odrzucili ofertę: brak budżetu.", "Prośba o brak kontaktu do końca audytu."},
}

// person is a generated contact, with its name in Latin letters for
// handles and e-mail addresses.
type person struct {
	name, last, initials  string
	latinFirst, latinLast string
}

func (l *locale) person(r *rand.Rand) person {
	last := fake.Pick(r, l.surnames)
	var first string
	if r.IntN(2) == 0 {
		first = fake.Pick(r, l.male)
	} else {
		first = fake.Pick(r, l.female)
		if l.feminine != nil {
			last = l.feminine(last)
		}
	}
	initials := string([]rune(first)[:1]) + "."
	if l.code == "ru" {
		initials += string([]rune(fake.Pick(r, l.male))[:1]) + "."
	}
	return person{name: first + " " + last, last: last, initials: initials,
		latinFirst: fake.Latin(first), latinLast: fake.Latin(last)}
}

// company is a generated company: its name and the Latin stem of its
// handles and domain.
type company struct {
	name, latin string
	soleTrader  bool
}

func (l *locale) company(r *rand.Rand, contact person) company {
	form := fake.Weighted(r, l.forms, l.formWeights)
	if form == "ИП" {
		return company{name: "ИП " + contact.last + " " + contact.initials, latin: contact.latinFirst + contact.latinLast, soleTrader: true}
	}
	stem, trade := fake.Pick(r, l.stems), fake.Pick(r, l.trades)
	brand := stem + trade
	if l.formAfter {
		brand = stem + " " + trade
	} else if r.IntN(4) == 0 {
		brand = stem + "-" + strings.ToLower(trade)
	}
	if l.formAfter {
		return company{name: brand + " " + form, latin: fake.Latin(stem + trade)}
	}
	return company{name: form + " «" + brand + "»", latin: fake.Latin(brand)}
}

// phone is an office number, mobile a messenger number; both in ranges no
// real subscriber has.
func (l *locale) phone(r *rand.Rand) string {
	area := fake.Pick(r, l.areas)
	switch l.code {
	case "ru":
		return fmt.Sprintf("+7 (%s) 0%s-%s-%s", area, fake.Digits(r, 2), fake.Digits(r, 2), fake.Digits(r, 2))
	case "en":
		return "+44 " + area + " 0" + fake.Digits(r, 3)
	default:
		return "+" + l.country + area + "0" + fake.Digits(r, 6) // E.164, as the server stores it
	}
}

func (l *locale) mobile(r *rand.Rand) string {
	prefix := fake.Pick(r, l.mobiles)
	switch l.code {
	case "ru":
		return fmt.Sprintf("+7 %s 0%s-%s-%s", prefix, fake.Digits(r, 2), fake.Digits(r, 2), fake.Digits(r, 2))
	case "en":
		return "+44 " + prefix + fake.Digits(r, 3)
	default:
		return "+" + l.country + prefix + "0" + fake.Digits(r, 5)
	}
}

// newId returns a PocketBase-style id: 15 characters of [a-z0-9].
func newId(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 15)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
