package migrations

import (
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"touchbase/domain"
	"touchbase/phones"
)

// Phone numbers that dial (SPEC §3 "Phone numbers"): a point gets its
// country (ISO 3166-1 alpha-2), in which national numbers are read; the
// clients' phone and whatsapp lose their pattern (package phones reads and
// checks them on save now) and their stored values are rewritten in E.164.
//
// Existing points get the country of their time zone (zoneCountries);
// where the zone names none (UTC, Etc/…, an unknown alias) the country
// stays empty and saving the point asks for it. Stored numbers that cannot
// be read are kept as they are and logged: the migration never fails on
// them, and the page shows them without a link until someone fixes them.
func init() {
	m.Register(pointsCountryUp, pointsCountryDown)
}

const (
	oldPhonePattern = `^\+?[0-9][0-9 ()-]{5,22}$`
	countryHelp     = "Country of the point, ISO 3166-1 alpha-2 (e.g. RU, GB): phone numbers written in national form (8 (495) 123-45-67) are read in it."
	phoneHelp       = "Phone number, stored in E.164 (+74951234567); a national number (8 (495) 123-45-67) is read in the country of the client's point."
	whatsappHelp    = "WhatsApp number, stored in E.164 (+79123456789); a national number (8 912 345-67-89) is read in the country of the client's point."
)

func pointsCountryUp(app core.App) error {
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		return err
	}
	if points.Fields.GetByName("country") == nil {
		at := len(points.Fields)
		for i, f := range points.Fields {
			if f.GetName() == "timezone" {
				at = i + 1
			}
		}
		points.Fields.AddAt(at, &core.TextField{Name: "country", Required: true, Min: 2, Max: 2, Pattern: `^[A-Z]{2}$`, Help: countryHelp})
		if err := app.Save(points); err != nil {
			return err
		}
	}
	if err := fillPointCountries(app); err != nil {
		return err
	}

	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	for name, help := range map[string]string{"phone": phoneHelp, "whatsapp": whatsappHelp} {
		if f, ok := clients.Fields.GetByName(name).(*core.TextField); ok {
			f.Pattern = ""
			f.Help = help
		}
	}
	if err := app.Save(clients); err != nil {
		return err
	}
	return normalizeClientPhones(app)
}

// fillPointCountries sets the country of each point without one from its
// time zone (the server's when empty), where the zone names a country.
func fillPointCountries(app core.App) error {
	var rows []struct {
		Id       string `db:"id"`
		Timezone string `db:"timezone"`
	}
	if err := app.DB().NewQuery("SELECT id, timezone FROM points WHERE country = '' OR country IS NULL").All(&rows); err != nil {
		return err
	}
	for _, row := range rows {
		tz := strings.TrimSpace(row.Timezone)
		if tz == "" {
			tz = domain.ServerTimezone()
		}
		country := zoneCountries[tz]
		if country == "" {
			app.Logger().Warn("points.country: the time zone names no country; the point asks for it on its next save",
				"point", row.Id, "timezone", tz)
			continue
		}
		if _, err := app.DB().NewQuery("UPDATE points SET country = {:country} WHERE id = {:id}").
			Bind(dbx.Params{"country": country, "id": row.Id}).Execute(); err != nil {
			return err
		}
	}
	return nil
}

// normalizeClientPhones rewrites the clients' phone and whatsapp in E.164,
// national numbers read in the country of the client's point. A value that
// cannot be read is kept and logged.
func normalizeClientPhones(app core.App) error {
	var rows []struct {
		Id       string `db:"id"`
		Phone    string `db:"phone"`
		Whatsapp string `db:"whatsapp"`
		Country  string `db:"country"`
	}
	err := app.DB().NewQuery(`SELECT c.id AS id, c.phone AS phone, c.whatsapp AS whatsapp, COALESCE(p.country, '') AS country
		FROM clients c LEFT JOIN points p ON p.id = c.point
		WHERE c.phone != '' OR c.whatsapp != ''`).All(&rows)
	if err != nil {
		return err
	}
	for _, row := range rows {
		for field, raw := range map[string]string{"phone": row.Phone, "whatsapp": row.Whatsapp} {
			if strings.TrimSpace(raw) == "" {
				continue
			}
			e164, err := phones.Normalize(raw, row.Country)
			if err != nil {
				app.Logger().Warn("clients."+field+": kept as it is, not a phone number in the point's country",
					"client", row.Id, "value", raw, "country", row.Country, "error", err.Error())
				continue
			}
			if e164 == raw {
				continue
			}
			// field is one of two constants, never input.
			if _, err := app.DB().NewQuery("UPDATE clients SET [" + field + "] = {:value} WHERE id = {:id}").
				Bind(dbx.Params{"value": e164, "id": row.Id}).Execute(); err != nil {
				return err
			}
		}
	}
	return nil
}

// pointsCountryDown drops the country and gives the phone fields their old
// pattern back; numbers stay in E.164, which that pattern accepts.
func pointsCountryDown(app core.App) error {
	clients, err := app.FindCollectionByNameOrId("clients")
	if err != nil {
		return err
	}
	for name, help := range map[string]string{
		"phone":    "Phone number, e.g. +7 (495) 123-45-67.",
		"whatsapp": "WhatsApp number in international format, e.g. +7 912 345-67-89.",
	} {
		if f, ok := clients.Fields.GetByName(name).(*core.TextField); ok {
			f.Pattern = oldPhonePattern
			f.Help = help
		}
	}
	if err := app.Save(clients); err != nil {
		return err
	}
	points, err := app.FindCollectionByNameOrId("points")
	if err != nil {
		return err
	}
	points.Fields.RemoveByName("country")
	return app.Save(points)
}

// zoneCountries is the country of each IANA time zone, from tzdata's
// zone.tab (2025b; each zone there belongs to one country), left out the
// countries libphonenumber has no numbers for, plus a few old aliases.
var zoneCountries = map[string]string{
	"Africa/Abidjan": "CI", "Africa/Accra": "GH", "Africa/Addis_Ababa": "ET", "Africa/Algiers": "DZ",
	"Africa/Asmara": "ER", "Africa/Bamako": "ML", "Africa/Bangui": "CF", "Africa/Banjul": "GM",
	"Africa/Bissau": "GW", "Africa/Blantyre": "MW", "Africa/Brazzaville": "CG",
	"Africa/Bujumbura": "BI", "Africa/Cairo": "EG", "Africa/Casablanca": "MA", "Africa/Ceuta": "ES",
	"Africa/Conakry": "GN", "Africa/Dakar": "SN", "Africa/Dar_es_Salaam": "TZ",
	"Africa/Djibouti": "DJ", "Africa/Douala": "CM", "Africa/El_Aaiun": "EH", "Africa/Freetown": "SL",
	"Africa/Gaborone": "BW", "Africa/Harare": "ZW", "Africa/Johannesburg": "ZA", "Africa/Juba": "SS",
	"Africa/Kampala": "UG", "Africa/Khartoum": "SD", "Africa/Kigali": "RW", "Africa/Kinshasa": "CD",
	"Africa/Lagos": "NG", "Africa/Libreville": "GA", "Africa/Lome": "TG", "Africa/Luanda": "AO",
	"Africa/Lubumbashi": "CD", "Africa/Lusaka": "ZM", "Africa/Malabo": "GQ", "Africa/Maputo": "MZ",
	"Africa/Maseru": "LS", "Africa/Mbabane": "SZ", "Africa/Mogadishu": "SO", "Africa/Monrovia": "LR",
	"Africa/Nairobi": "KE", "Africa/Ndjamena": "TD", "Africa/Niamey": "NE", "Africa/Nouakchott": "MR",
	"Africa/Ouagadougou": "BF", "Africa/Porto-Novo": "BJ", "Africa/Sao_Tome": "ST",
	"Africa/Tripoli": "LY", "Africa/Tunis": "TN", "Africa/Windhoek": "NA", "America/Adak": "US",
	"America/Anchorage": "US", "America/Anguilla": "AI", "America/Antigua": "AG",
	"America/Araguaina": "BR", "America/Argentina/Buenos_Aires": "AR",
	"America/Argentina/Catamarca": "AR", "America/Argentina/Cordoba": "AR",
	"America/Argentina/Jujuy": "AR", "America/Argentina/La_Rioja": "AR",
	"America/Argentina/Mendoza": "AR", "America/Argentina/Rio_Gallegos": "AR",
	"America/Argentina/Salta": "AR", "America/Argentina/San_Juan": "AR",
	"America/Argentina/San_Luis": "AR", "America/Argentina/Tucuman": "AR",
	"America/Argentina/Ushuaia": "AR", "America/Aruba": "AW", "America/Asuncion": "PY",
	"America/Atikokan": "CA", "America/Bahia": "BR", "America/Bahia_Banderas": "MX",
	"America/Barbados": "BB", "America/Belem": "BR", "America/Belize": "BZ",
	"America/Blanc-Sablon": "CA", "America/Boa_Vista": "BR", "America/Bogota": "CO",
	"America/Boise": "US", "America/Cambridge_Bay": "CA", "America/Campo_Grande": "BR",
	"America/Cancun": "MX", "America/Caracas": "VE", "America/Cayenne": "GF", "America/Cayman": "KY",
	"America/Chicago": "US", "America/Chihuahua": "MX", "America/Ciudad_Juarez": "MX",
	"America/Costa_Rica": "CR", "America/Coyhaique": "CL", "America/Creston": "CA",
	"America/Cuiaba": "BR", "America/Curacao": "CW", "America/Danmarkshavn": "GL",
	"America/Dawson": "CA", "America/Dawson_Creek": "CA", "America/Denver": "US",
	"America/Detroit": "US", "America/Dominica": "DM", "America/Edmonton": "CA",
	"America/Eirunepe": "BR", "America/El_Salvador": "SV", "America/Fort_Nelson": "CA",
	"America/Fortaleza": "BR", "America/Glace_Bay": "CA", "America/Goose_Bay": "CA",
	"America/Grand_Turk": "TC", "America/Grenada": "GD", "America/Guadeloupe": "GP",
	"America/Guatemala": "GT", "America/Guayaquil": "EC", "America/Guyana": "GY",
	"America/Halifax": "CA", "America/Havana": "CU", "America/Hermosillo": "MX",
	"America/Indiana/Indianapolis": "US", "America/Indiana/Knox": "US",
	"America/Indiana/Marengo": "US", "America/Indiana/Petersburg": "US",
	"America/Indiana/Tell_City": "US", "America/Indiana/Vevay": "US",
	"America/Indiana/Vincennes": "US", "America/Indiana/Winamac": "US", "America/Inuvik": "CA",
	"America/Iqaluit": "CA", "America/Jamaica": "JM", "America/Juneau": "US",
	"America/Kentucky/Louisville": "US", "America/Kentucky/Monticello": "US",
	"America/Kralendijk": "BQ", "America/La_Paz": "BO", "America/Lima": "PE",
	"America/Los_Angeles": "US", "America/Lower_Princes": "SX", "America/Maceio": "BR",
	"America/Managua": "NI", "America/Manaus": "BR", "America/Marigot": "MF",
	"America/Martinique": "MQ", "America/Matamoros": "MX", "America/Mazatlan": "MX",
	"America/Menominee": "US", "America/Merida": "MX", "America/Metlakatla": "US",
	"America/Mexico_City": "MX", "America/Miquelon": "PM", "America/Moncton": "CA",
	"America/Monterrey": "MX", "America/Montevideo": "UY", "America/Montserrat": "MS",
	"America/Nassau": "BS", "America/New_York": "US", "America/Nome": "US", "America/Noronha": "BR",
	"America/North_Dakota/Beulah": "US", "America/North_Dakota/Center": "US",
	"America/North_Dakota/New_Salem": "US", "America/Nuuk": "GL", "America/Ojinaga": "MX",
	"America/Panama": "PA", "America/Paramaribo": "SR", "America/Phoenix": "US",
	"America/Port-au-Prince": "HT", "America/Port_of_Spain": "TT", "America/Porto_Velho": "BR",
	"America/Puerto_Rico": "PR", "America/Punta_Arenas": "CL", "America/Rankin_Inlet": "CA",
	"America/Recife": "BR", "America/Regina": "CA", "America/Resolute": "CA",
	"America/Rio_Branco": "BR", "America/Santarem": "BR", "America/Santiago": "CL",
	"America/Santo_Domingo": "DO", "America/Sao_Paulo": "BR", "America/Scoresbysund": "GL",
	"America/Sitka": "US", "America/St_Barthelemy": "BL", "America/St_Johns": "CA",
	"America/St_Kitts": "KN", "America/St_Lucia": "LC", "America/St_Thomas": "VI",
	"America/St_Vincent": "VC", "America/Swift_Current": "CA", "America/Tegucigalpa": "HN",
	"America/Thule": "GL", "America/Tijuana": "MX", "America/Toronto": "CA", "America/Tortola": "VG",
	"America/Vancouver": "CA", "America/Whitehorse": "CA", "America/Winnipeg": "CA",
	"America/Yakutat": "US", "Antarctica/Macquarie": "AU", "Arctic/Longyearbyen": "SJ",
	"Asia/Aden": "YE", "Asia/Almaty": "KZ", "Asia/Amman": "JO", "Asia/Anadyr": "RU",
	"Asia/Aqtau": "KZ", "Asia/Aqtobe": "KZ", "Asia/Ashgabat": "TM", "Asia/Atyrau": "KZ",
	"Asia/Baghdad": "IQ", "Asia/Bahrain": "BH", "Asia/Baku": "AZ", "Asia/Bangkok": "TH",
	"Asia/Barnaul": "RU", "Asia/Beirut": "LB", "Asia/Bishkek": "KG", "Asia/Brunei": "BN",
	"Asia/Chita": "RU", "Asia/Colombo": "LK", "Asia/Damascus": "SY", "Asia/Dhaka": "BD",
	"Asia/Dili": "TL", "Asia/Dubai": "AE", "Asia/Dushanbe": "TJ", "Asia/Famagusta": "CY",
	"Asia/Gaza": "PS", "Asia/Hebron": "PS", "Asia/Ho_Chi_Minh": "VN", "Asia/Hong_Kong": "HK",
	"Asia/Hovd": "MN", "Asia/Irkutsk": "RU", "Asia/Jakarta": "ID", "Asia/Jayapura": "ID",
	"Asia/Jerusalem": "IL", "Asia/Kabul": "AF", "Asia/Kamchatka": "RU", "Asia/Karachi": "PK",
	"Asia/Kathmandu": "NP", "Asia/Khandyga": "RU", "Asia/Kolkata": "IN", "Asia/Krasnoyarsk": "RU",
	"Asia/Kuala_Lumpur": "MY", "Asia/Kuching": "MY", "Asia/Kuwait": "KW", "Asia/Macau": "MO",
	"Asia/Magadan": "RU", "Asia/Makassar": "ID", "Asia/Manila": "PH", "Asia/Muscat": "OM",
	"Asia/Nicosia": "CY", "Asia/Novokuznetsk": "RU", "Asia/Novosibirsk": "RU", "Asia/Omsk": "RU",
	"Asia/Oral": "KZ", "Asia/Phnom_Penh": "KH", "Asia/Pontianak": "ID", "Asia/Pyongyang": "KP",
	"Asia/Qatar": "QA", "Asia/Qostanay": "KZ", "Asia/Qyzylorda": "KZ", "Asia/Riyadh": "SA",
	"Asia/Sakhalin": "RU", "Asia/Samarkand": "UZ", "Asia/Seoul": "KR", "Asia/Shanghai": "CN",
	"Asia/Singapore": "SG", "Asia/Srednekolymsk": "RU", "Asia/Taipei": "TW", "Asia/Tashkent": "UZ",
	"Asia/Tbilisi": "GE", "Asia/Tehran": "IR", "Asia/Thimphu": "BT", "Asia/Tokyo": "JP",
	"Asia/Tomsk": "RU", "Asia/Ulaanbaatar": "MN", "Asia/Urumqi": "CN", "Asia/Ust-Nera": "RU",
	"Asia/Vientiane": "LA", "Asia/Vladivostok": "RU", "Asia/Yakutsk": "RU", "Asia/Yangon": "MM",
	"Asia/Yekaterinburg": "RU", "Asia/Yerevan": "AM", "Atlantic/Azores": "PT",
	"Atlantic/Bermuda": "BM", "Atlantic/Canary": "ES", "Atlantic/Cape_Verde": "CV",
	"Atlantic/Faroe": "FO", "Atlantic/Madeira": "PT", "Atlantic/Reykjavik": "IS",
	"Atlantic/St_Helena": "SH", "Atlantic/Stanley": "FK", "Australia/Adelaide": "AU",
	"Australia/Brisbane": "AU", "Australia/Broken_Hill": "AU", "Australia/Darwin": "AU",
	"Australia/Eucla": "AU", "Australia/Hobart": "AU", "Australia/Lindeman": "AU",
	"Australia/Lord_Howe": "AU", "Australia/Melbourne": "AU", "Australia/Perth": "AU",
	"Australia/Sydney": "AU", "Europe/Amsterdam": "NL", "Europe/Andorra": "AD",
	"Europe/Astrakhan": "RU", "Europe/Athens": "GR", "Europe/Belgrade": "RS", "Europe/Berlin": "DE",
	"Europe/Bratislava": "SK", "Europe/Brussels": "BE", "Europe/Bucharest": "RO",
	"Europe/Budapest": "HU", "Europe/Busingen": "DE", "Europe/Chisinau": "MD",
	"Europe/Copenhagen": "DK", "Europe/Dublin": "IE", "Europe/Gibraltar": "GI",
	"Europe/Guernsey": "GG", "Europe/Helsinki": "FI", "Europe/Isle_of_Man": "IM",
	"Europe/Istanbul": "TR", "Europe/Jersey": "JE", "Europe/Kaliningrad": "RU", "Europe/Kirov": "RU",
	"Europe/Kyiv": "UA", "Europe/Lisbon": "PT", "Europe/Ljubljana": "SI", "Europe/London": "GB",
	"Europe/Luxembourg": "LU", "Europe/Madrid": "ES", "Europe/Malta": "MT", "Europe/Mariehamn": "AX",
	"Europe/Minsk": "BY", "Europe/Monaco": "MC", "Europe/Moscow": "RU", "Europe/Oslo": "NO",
	"Europe/Paris": "FR", "Europe/Podgorica": "ME", "Europe/Prague": "CZ", "Europe/Riga": "LV",
	"Europe/Rome": "IT", "Europe/Samara": "RU", "Europe/San_Marino": "SM", "Europe/Sarajevo": "BA",
	"Europe/Saratov": "RU", "Europe/Simferopol": "UA", "Europe/Skopje": "MK", "Europe/Sofia": "BG",
	"Europe/Stockholm": "SE", "Europe/Tallinn": "EE", "Europe/Tirane": "AL", "Europe/Ulyanovsk": "RU",
	"Europe/Vaduz": "LI", "Europe/Vatican": "VA", "Europe/Vienna": "AT", "Europe/Vilnius": "LT",
	"Europe/Volgograd": "RU", "Europe/Warsaw": "PL", "Europe/Zagreb": "HR", "Europe/Zurich": "CH",
	"Indian/Antananarivo": "MG", "Indian/Chagos": "IO", "Indian/Christmas": "CX",
	"Indian/Cocos": "CC", "Indian/Comoro": "KM", "Indian/Mahe": "SC", "Indian/Maldives": "MV",
	"Indian/Mauritius": "MU", "Indian/Mayotte": "YT", "Indian/Reunion": "RE", "Pacific/Apia": "WS",
	"Pacific/Auckland": "NZ", "Pacific/Bougainville": "PG", "Pacific/Chatham": "NZ",
	"Pacific/Chuuk": "FM", "Pacific/Easter": "CL", "Pacific/Efate": "VU", "Pacific/Fakaofo": "TK",
	"Pacific/Fiji": "FJ", "Pacific/Funafuti": "TV", "Pacific/Galapagos": "EC",
	"Pacific/Gambier": "PF", "Pacific/Guadalcanal": "SB", "Pacific/Guam": "GU",
	"Pacific/Honolulu": "US", "Pacific/Kanton": "KI", "Pacific/Kiritimati": "KI",
	"Pacific/Kosrae": "FM", "Pacific/Kwajalein": "MH", "Pacific/Majuro": "MH",
	"Pacific/Marquesas": "PF", "Pacific/Nauru": "NR", "Pacific/Niue": "NU", "Pacific/Norfolk": "NF",
	"Pacific/Noumea": "NC", "Pacific/Pago_Pago": "AS", "Pacific/Palau": "PW", "Pacific/Pohnpei": "FM",
	"Pacific/Port_Moresby": "PG", "Pacific/Rarotonga": "CK", "Pacific/Saipan": "MP",
	"Pacific/Tahiti": "PF", "Pacific/Tarawa": "KI", "Pacific/Tongatapu": "TO", "Pacific/Wallis": "WF",
	// old names still found in settings
	"Asia/Calcutta": "IN", "Asia/Katmandu": "NP", "Asia/Rangoon": "MM", "Asia/Saigon": "VN",
	"Europe/Kiev": "UA", "Europe/Nicosia": "CY", "W-SU": "RU", "GB": "GB", "GB-Eire": "GB",
}
