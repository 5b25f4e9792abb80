package demo

import (
	"math/rand/v2"
	"strings"

	"touchbase/fake"
)

// Word lists the client generator draws from. Company names are built from
// a brand stem and a trade word, as Russian and British firms often are,
// so a few hundred of them stay unique and plausible.
var (
	ruBrandStems = []string{
		"Техно", "Строй", "Агро", "Мед", "Транс", "Энерго", "Торг", "Пром", "Инвест", "Софт",
		"Эко", "Металл", "Вита", "Альфа", "Север", "Восток", "Гранит", "Кедр", "Балт", "Нева",
		"Волга", "Урал", "Профи", "Мега", "Смарт", "Лес", "Авто", "Хим", "Фарм", "Электро",
	}
	ruTradeWords = []string{
		"Снаб", "Сервис", "Маркет", "Трейд", "Групп", "Логистик", "Проект", "Инжиниринг",
		"Систем", "Комплект", "Пласт", "Лайн", "Мастер", "Ресурс", "Опт", "Монтаж",
	}
	ruNamedCompanies = []string{
		"ООО «Ромашка»", "АО «Северсталь-Сервис»", "ПАО «Балтийский берег»", "ООО «Пекарня Хлебный дом»",
		"ООО «Кофейня на Невском»", "АО «Уральские самоцветы»", "ООО «Зелёный квартал»", "ООО «Типография Печатник»",
	}
	ruMaleFirst   = []string{"Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Николай", "Павел", "Игорь", "Владимир", "Евгений", "Артём", "Роман", "Олег", "Максим", "Константин"}
	ruFemaleFirst = []string{"Елена", "Ирина", "Наталья", "Ольга", "Татьяна", "Мария", "Анна", "Светлана", "Юлия", "Екатерина", "Дарья", "Ксения", "Вера", "Людмила", "Алина"}
	ruSurnames    = []string{
		"Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров",
		"Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев",
		"Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев",
	}

	enBrandStems = []string{
		"Brightwater", "Kingsbridge", "Oakfield", "Redhill", "Thameside", "Greenwich", "Camden", "Albion",
		"Highgate", "Northgate", "Ashford", "Westbury", "Harbourside", "Crown", "Elmstead", "Riverside",
		"Blackfriars", "Maple", "Windsor", "Clerkenwell", "Bankside", "Hampstead", "Marlow", "Ludgate",
	}
	enTradeWords = []string{
		"Logistics", "Foods", "Engineering", "Consulting", "Digital", "Retail", "Supplies", "Design",
		"Print", "Systems", "Analytics", "Interiors", "Pharma", "Motors", "Hospitality", "Builders",
	}
	enFirst    = []string{"James", "Oliver", "Harry", "George", "Jack", "Thomas", "William", "Charlie", "Daniel", "Samuel", "Arjun", "Mohammed", "Amelia", "Olivia", "Isla", "Emily", "Sophie", "Grace", "Lily", "Charlotte", "Priya", "Fatima", "Chloe", "Hannah"}
	enSurnames = []string{
		"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
		"Walker", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris",
		"Clarke", "Khan", "Lewis", "Martin", "Cooper", "O'Neill", "Murphy", "Baker",
	}

	ruNotes = []string{
		"Закупки раз в квартал, решение принимает собственник.",
		"Предпочитает звонки после 14:00.",
		"Работают по постоплате 30 дней.",
		"Интересуется доставкой в регионы.",
		"Перешли от конкурента в прошлом году.",
		"Бухгалтерия просит закрывающие документы до 5 числа.",
		"Есть филиал в Казани, возможна вторая точка поставки.",
	}
	enNotes = []string{
		"Buys quarterly; the owner signs off.",
		"Prefers calls after 2 pm.",
		"Net 30 payment terms.",
		"Moved from a competitor last year.",
		"Interested in delivery to their Manchester site.",
		"Finance wants invoices by the 5th of the month.",
	}

	ruTags = []string{"опт", "розница", "производство", "horeca", "стройка", "it", "логистика", "медицина", "госзаказ", "newsletter"}
	enTags = []string{"wholesale", "retail", "manufacturing", "horeca", "construction", "it", "logistics", "healthcare", "public-sector", "newsletter"}
)

// person is a generated contact: a full name, its parts in Latin letters
// (for handles and e-mail) and, for Russian names, the initials used in a
// sole trader's company name.
type person struct {
	name, first, last, latinFirst, latinLast, initials string
}

func ruPerson(r *rand.Rand) person {
	last := fake.Pick(r, ruSurnames)
	var first, patronymicInitial string
	if r.IntN(2) == 0 {
		first = fake.Pick(r, ruMaleFirst)
	} else {
		first = fake.Pick(r, ruFemaleFirst)
		last = feminine(last)
	}
	patronymicInitial = string([]rune(fake.Pick(r, ruMaleFirst))[:1])
	return person{
		name:       first + " " + last,
		first:      first,
		last:       last,
		latinFirst: fake.Latin(first),
		latinLast:  fake.Latin(last),
		initials:   string([]rune(first)[:1]) + "." + patronymicInitial + ".",
	}
}

func enPerson(r *rand.Rand) person {
	first, last := fake.Pick(r, enFirst), fake.Pick(r, enSurnames)
	return person{
		name: first + " " + last, first: first, last: last,
		latinFirst: fake.Latin(first), latinLast: fake.Latin(last),
		initials: first[:1] + ".",
	}
}

// feminine gives the female form of a Russian surname ending in -ов/-ев/-ёв/-ин.
func feminine(surname string) string {
	for _, suffix := range []string{"ов", "ев", "ёв", "ин"} {
		if strings.HasSuffix(surname, suffix) {
			return surname + "а"
		}
	}
	return surname
}

// company is a generated company name with the Latin stem for its handles
// and domain.
type company struct {
	name, latin string
	soleTrader  bool
}

// ruCompanies returns n unique Russian company names: the hand-picked ones
// first, then brand + trade word combinations in a legal form, and about
// one in six a sole trader ("ИП Кузнецов А.В.") named after the contact.
func ruCompanies(r *rand.Rand, n int, contacts []person) []company {
	seen := map[string]bool{}
	out := make([]company, 0, n)
	add := func(c company) bool {
		if seen[c.name] {
			return false
		}
		seen[c.name] = true
		out = append(out, c)
		return true
	}
	for _, name := range ruNamedCompanies {
		if len(out) == n {
			break
		}
		stem := name
		if i := strings.Index(name, "«"); i >= 0 {
			stem = strings.Trim(name[i:], "«»")
		}
		add(company{name: name, latin: fake.Latin(stem)})
	}
	for len(out) < n {
		if r.IntN(6) == 0 {
			p := contacts[len(out)]
			if add(company{name: "ИП " + p.last + " " + p.initials, latin: p.latinLast, soleTrader: true}) {
				continue
			}
		}
		stem, trade := fake.Pick(r, ruBrandStems), fake.Pick(r, ruTradeWords)
		brand := stem + trade
		if r.IntN(4) == 0 {
			brand = stem + "-" + strings.ToLower(trade)
		}
		form := fake.Weighted(r, []string{"ООО", "АО", "ПАО", "ГК"}, []int{78, 14, 2, 6})
		add(company{name: form + " «" + brand + "»", latin: fake.Latin(brand)})
	}
	return out
}

// enCompanies returns n unique British company names, about one in eight a
// sole trader named after the contact ("Patel Consulting").
func enCompanies(r *rand.Rand, n int, contacts []person) []company {
	seen := map[string]bool{}
	out := make([]company, 0, n)
	for len(out) < n {
		var c company
		if r.IntN(8) == 0 {
			p := contacts[len(out)]
			c = company{name: p.last + " " + fake.Pick(r, []string{"Consulting", "Trading", "Joinery", "Catering"}), latin: p.latinLast, soleTrader: true}
		} else {
			stem, trade := fake.Pick(r, enBrandStems), fake.Pick(r, enTradeWords)
			form := fake.Weighted(r, []string{" Ltd", " plc", " LLP", " & Co"}, []int{80, 5, 9, 6})
			c = company{name: stem + " " + trade + form, latin: fake.Latin(stem + trade)}
		}
		if !seen[c.name] {
			seen[c.name] = true
			out = append(out, c)
		}
	}
	return out
}
