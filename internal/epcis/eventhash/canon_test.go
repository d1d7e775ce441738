package eventhash

import "testing"

// The checked examples of EVENT-HASH.md §5–§7 and the unit cases §11 suggests.

func TestCanonTime(t *testing.T) {
	for in, want := range map[string]string{
		"2020-03-04T11:00:30.000+01:00":    "2020-03-04T10:00:30.000Z",
		"2005-04-03T20:33:31.116000-06:00": "2005-04-04T02:33:31.116Z",
		"2022-04-07T10:00:00Z":             "2022-04-07T10:00:00.000Z",
		"2023-02-02T11:04:03.1415Z":        "2023-02-02T11:04:03.142Z",
		"2023-02-02T11:04:03.1414Z":        "2023-02-02T11:04:03.141Z",
		"2023-02-02T11:04:03.1007Z":        "2023-02-02T11:04:03.101Z",
		"2023-02-02T11:04:03.1425Z":        "2023-02-02T11:04:03.143Z", // CBV rule, not REF's half-even (§10 D6)
		"2023-02-02T11:04:03.5Z":           "2023-02-02T11:04:03.500Z",
		"2023-12-31T23:59:59.9996Z":        "2024-01-01T00:00:00.000Z", // carry into the next year
		"2023-02-02T11:04:03":              "2023-02-02T11:04:03.000Z", // no zone = UTC
		"2023-02-30T11:04:03Z":             "2023-02-30T11:04:03Z",     // no such date: unchanged
		"yesterday":                        "yesterday",
	} {
		if got := canonTime(in); got != want {
			t.Errorf("canonTime(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonNumber(t *testing.T) {
	for in, want := range map[string]string{
		"26.0": "26", "0.00001": "1e-05", "1234567.5": "1234567.5", "12.10": "12.1", "0.50": "0.5",
		"150": "150", "1e3": "1000", "+5": "5", "0123": "123", "-0": "0", "7E-7": "7e-07",
		"111100001111000011110000": "111100001111000003641344", // float64 artefact the vectors carry
		"1e400":                    "1e400", "nan": "nan", "+01:00": "+01:00", "A-1": "A-1", "1_000": "1000",
	} {
		if got := canonNumber(in); got != want {
			t.Errorf("canonNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEPCURN(t *testing.T) {
	for in, want := range map[string]string{
		"urn:epc:id:sscc:4012345.0000000111":                     "https://id.gs1.org/00/040123450000001112",
		"urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()": "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
		"urn:epc:id:sgln:4012345.00005.0":                        "https://id.gs1.org/414/4012345000054",
		"urn:epc:id:sgln:4012345.00011.987":                      "https://id.gs1.org/414/4012345000115/254/987",
		"urn:epc:id:grai:4012345.00022.334455":                   "https://id.gs1.org/8003/04012345000221334455",
		"urn:epc:id:gdti:4012345.00009.PO-4711":                  "https://id.gs1.org/253/4012345000092PO-4711",
		"urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234":     "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
		"urn:epc:id:itip:4012345.011111.01.02.987":               "https://id.gs1.org/8006/040123451111180102/21/987",
		"urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7SDB":  "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7SDB",
		"urn:epc:class:lgtin:4012345.012345.Lot987":              "https://id.gs1.org/01/04012345123456/10/Lot987",
		"urn:epc:idpat:itip:4012345.012345.01.02.*":              "https://id.gs1.org/8006/040123451234560102",
		"urn:epc:id:giai:4012345.ABC":                            "https://id.gs1.org/8004/4012345ABC",
		"urn:epc:id:pgln:4012345.00225":                          "https://id.gs1.org/417/4012345002256",
		"urn:epc:id:gid:95100000.12345.400":                      "urn:epc:id:gid:95100000.12345.400",   // not covered: unchanged
		"urn:epc:id:sgtin:0614141.81234.6789":                    "urn:epc:id:sgtin:0614141.81234.6789", // 12 digits, not 13
	} {
		if got := canonValue(in); got != want {
			t.Errorf("canonValue(%q) =\n %q, want\n %q", in, got, want)
		}
	}
}

func TestDigitalLink(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/gtin/09780345418913/21/765tz?abc=211121":           "https://id.gs1.org/01/09780345418913/21/765tz",
		"http://id.gs1.org/gtin/9780345418913":                                  "https://id.gs1.org/01/09780345418913",
		"http://us-company-with-UPC.com/01/001122334455/ser/GHB":                "https://id.gs1.org/01/00001122334455/21/GHB",
		"https://id.gs1.org/gtin/9780345418913/cpv/344/lot/1223/ser/765tz":      "https://id.gs1.org/01/09780345418913/21/765tz",
		"https://fashion-corp.com/8006/040123451234560102/10/Lot-123/21/ser987": "https://id.gs1.org/8006/040123451234560102/21/ser987",
		"https://id.gs1.de/00/040123451111111110":                               "https://id.gs1.org/00/040123451111111110",
		"https://id.example.com/8003/040123450007718765":                        "https://id.gs1.org/8003/040123450007718765",
		"https://example.org/8004/401234599999":                                 "https://id.gs1.org/8004/401234599999",
		"http://example.de/abc/9780345418913":                                   "http://example.de/abc/9780345418913",
		"https://id.gs1.org/01/09780345418913#frag":                             "https://id.gs1.org/01/09780345418913#frag",
		"https://example.com/01/04012345111118/21/98%22":                        "https://example.com/01/04012345111118/21/98%22",
	} {
		if got := canonValue(in); got != want {
			t.Errorf("canonValue(%q) =\n %q, want\n %q", in, got, want)
		}
	}
}

func TestCBVURN(t *testing.T) {
	for in, want := range map[string]string{
		"urn:epcglobal:cbv:bizstep:shipping":      "https://ref.gs1.org/cbv/BizStep-shipping",
		"urn:epcglobal:cbv:disp:in_transit":       "https://ref.gs1.org/cbv/Disp-in_transit",
		"urn:epcglobal:cbv:btt:po":                "https://ref.gs1.org/cbv/BTT-po",
		"urn:epcglobal:cbv:sdt:owning_party":      "https://ref.gs1.org/cbv/SDT-owning_party",
		"urn:epcglobal:cbv:er:incorrect_data":     "https://ref.gs1.org/cbv/ER-incorrect_data",
		"urn:epcglobal:cbv:bt:0614141073467:1152": "urn:epcglobal:cbv:bt:0614141073467:1152",
	} {
		if got := canonValue(in); got != want {
			t.Errorf("canonValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChk(t *testing.T) {
	// SSCC worked example of §9: 04012345000000111 → 2.
	if got := chk("04012345000000111"); got != "2" {
		t.Errorf("chk = %s, want 2", got)
	}
}
