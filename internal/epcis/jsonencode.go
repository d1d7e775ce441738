package epcis

import (
	"encoding/json"
	"strconv"
	"time"

	"zhanxin/internal/epcis/cbv"
)

// StandardContext is the EPCIS 2.0 JSON-LD context every document written here refers to.
const StandardContext = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"

// eventJSON renders an event as an ordered JSON object. Extension member keys are left as
// placeholders (member.name set); prefixes are chosen afterwards for the whole document
// (see namespaces.go).
func eventJSON(e *Event) jobj {
	var o jobj
	o.str("type", string(e.Type))
	o.str("eventID", e.EventID)
	o.time("eventTime", e.EventTime)
	o.time("recordTime", e.RecordTime)
	o.str("eventTimeZoneOffset", e.EventTimeZoneOffset)
	if ed := e.ErrorDeclaration; ed != nil {
		var d jobj
		d.time("declarationTime", ed.DeclarationTime)
		d.str("reason", cbv.ErrorReason.Short(ed.Reason))
		d.strs("correctiveEventIDs", ed.CorrectiveEventIDs)
		d = append(d, fieldMembers(ed.Extensions)...)
		o.add("errorDeclaration", d)
	}
	switch len(e.CertificationInfo) {
	case 0:
	case 1:
		o.str("certificationInfo", e.CertificationInfo[0])
	default:
		o.strs("certificationInfo", e.CertificationInfo)
	}
	o.str("parentID", e.ParentID)
	o.strs("epcList", e.EPCList)
	o.strs("childEPCs", e.ChildEPCs)
	o.strs("inputEPCList", e.InputEPCList)
	o.quantities("inputQuantityList", e.InputQuantityList)
	o.strs("outputEPCList", e.OutputEPCList)
	o.quantities("outputQuantityList", e.OutputQuantityList)
	o.quantities("quantityList", e.QuantityList)
	o.quantities("childQuantityList", e.ChildQuantityList)
	o.str("action", string(e.Action))
	o.str("transformationID", e.TransformationID)
	o.str("bizStep", cbv.BizStep.Short(e.BizStep))
	o.str("disposition", cbv.Disposition.Short(e.Disposition))
	if pd := e.PersistentDisposition; pd != nil {
		var p jobj
		p.strs("set", shortAll(cbv.Disposition, pd.Set))
		p.strs("unset", shortAll(cbv.Disposition, pd.Unset))
		o.add("persistentDisposition", p)
	}
	o.location("readPoint", e.ReadPoint)
	o.location("bizLocation", e.BizLocation)
	if e.BizTransactionList != nil {
		arr := make([]any, 0, len(e.BizTransactionList))
		for _, bt := range e.BizTransactionList {
			var b jobj
			b.str("type", cbv.BizTransactionType.Short(bt.Type))
			b.add("bizTransaction", bt.ID)
			arr = append(arr, b)
		}
		o.add("bizTransactionList", arr)
	}
	o.sourceDests("sourceList", "source", e.SourceList)
	o.sourceDests("destinationList", "destination", e.DestinationList)
	if e.SensorElementList != nil {
		arr := make([]any, 0, len(e.SensorElementList))
		for _, se := range e.SensorElementList {
			arr = append(arr, sensorElementJSON(se))
		}
		o.add("sensorElementList", arr)
	}
	if e.ILMD != nil {
		o.add("ilmd", append(jobj{}, fieldMembers(e.ILMD.Fields)...))
	}
	return append(o, fieldMembers(e.Extensions)...)
}

func sensorElementJSON(se SensorElement) jobj {
	var o jobj
	if sm := se.Metadata; sm != nil {
		var m jobj
		m.time("time", sm.Time)
		m.time("startTime", sm.StartTime)
		m.time("endTime", sm.EndTime)
		m.str("deviceID", sm.DeviceID)
		m.str("deviceMetadata", sm.DeviceMetadata)
		m.str("rawData", sm.RawData)
		m.str("dataProcessingMethod", sm.DataProcessingMethod)
		m.str("bizRules", sm.BizRules)
		o.add("sensorMetadata", append(m, fieldMembers(sm.Extensions)...))
	}
	reports := make([]any, 0, len(se.Reports))
	for _, r := range se.Reports {
		var m jobj
		m.str("type", cbv.MeasurementType.Short(r.Type))
		m.str("exception", cbv.SensorAlertType.Short(r.Exception))
		m.str("deviceID", r.DeviceID)
		m.str("deviceMetadata", r.DeviceMetadata)
		m.str("rawData", r.RawData)
		m.str("dataProcessingMethod", r.DataProcessingMethod)
		m.str("bizRules", r.BizRules)
		m.time("time", r.Time)
		m.str("microorganism", r.Microorganism)
		m.str("chemicalSubstance", r.ChemicalSubstance)
		m.num("value", r.Value)
		m.str("component", cbv.Component.Short(r.Component))
		m.str("stringValue", r.StringValue)
		if r.BooleanValue != nil {
			m.add("booleanValue", *r.BooleanValue)
		}
		m.str("hexBinaryValue", r.HexBinaryValue)
		m.str("uriValue", r.URIValue)
		m.num("minValue", r.MinValue)
		m.num("maxValue", r.MaxValue)
		m.num("meanValue", r.MeanValue)
		m.num("sDev", r.SDev)
		m.num("percRank", r.PercRank)
		m.num("percValue", r.PercValue)
		m.str("uom", r.UOM)
		m.str("coordinateReferenceSystem", r.CoordinateReferenceSystem)
		reports = append(reports, append(m, fieldMembers(r.Extensions)...))
	}
	o.add("sensorReport", reports)
	return append(o, fieldMembers(se.Extensions)...)
}

func shortAll(v *cbv.Vocab, in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = v.Short(s)
	}
	return out
}

// fieldMembers renders extension fields. Fields that share a name (an XML element that
// occurs several times) become one member with an array value, which the JSON-LD binding
// and the event hash both read as the same repeated field.
func fieldMembers(fields []Field) []jmember {
	if len(fields) == 0 {
		return nil
	}
	var out []jmember
	index := map[string]int{}
	for _, f := range fields {
		key := f.Name.Clark()
		v := valueJSON(f.Value)
		if i, ok := index[key]; ok {
			if arr, ok := out[i].val.(multi); ok {
				out[i].val = append(arr, v)
			} else {
				out[i].val = multi{out[i].val, v}
			}
			continue
		}
		index[key] = len(out)
		name := f.Name
		out = append(out, jmember{key: key, name: &name, val: v})
	}
	for i := range out {
		if m, ok := out[i].val.(multi); ok {
			out[i].val = []any(m)
		}
	}
	return out
}

// multi marks an array built from repeated fields while fieldMembers groups them.
type multi []any

func valueJSON(v Value) any {
	switch v.Kind {
	case Number:
		return jsonNumber(Decimal(v.Text))
	case Bool:
		return v.Text == "true"
	case Null:
		return nil
	case Array:
		arr := make([]any, len(v.Items))
		for i, it := range v.Items {
			arr[i] = valueJSON(it)
		}
		return arr
	case Object:
		o := jobj{}
		if v.Text != "" {
			o = append(o, jmember{key: "#text", val: v.Text})
		}
		return append(o, fieldMembers(v.Fields)...)
	}
	return v.Text
}

// jsonNumber writes a decimal as a JSON number. XML allows spellings JSON does not ("+5",
// ".5", "5."); those are rewritten through float64, which keeps their value.
func jsonNumber(d Decimal) any {
	if isJSONNumber(string(d)) {
		return json.Number(d)
	}
	f, err := strconv.ParseFloat(string(d), 64)
	if err != nil {
		return string(d) // not a number at all; the reader reported it
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
}

// isJSONNumber checks the JSON number grammar (RFC 8259 §6).
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// Helpers on jobj that skip absent values, so the writer mirrors the model's presence rules.

func (o *jobj) add(key string, v any) { *o = append(*o, jmember{key: key, val: v}) }

func (o *jobj) str(key, v string) {
	if v != "" {
		o.add(key, v)
	}
}

func (o *jobj) strs(key string, v []string) {
	if v == nil {
		return
	}
	arr := make([]any, len(v))
	for i, s := range v {
		arr[i] = s
	}
	o.add(key, arr)
}

func (o *jobj) time(key string, t time.Time) {
	if !t.IsZero() {
		o.add(key, t.Format(time.RFC3339Nano))
	}
}

func (o *jobj) num(key string, d Decimal) {
	if d != "" {
		o.add(key, jsonNumber(d))
	}
}

func (o *jobj) quantities(key string, qs []Quantity) {
	if qs == nil {
		return
	}
	arr := make([]any, 0, len(qs))
	for _, q := range qs {
		var m jobj
		m.str("epcClass", q.EPCClass)
		m.num("quantity", q.Quantity)
		m.str("uom", q.UOM)
		arr = append(arr, append(m, fieldMembers(q.Extensions)...))
	}
	o.add(key, arr)
}

func (o *jobj) location(key string, l *Location) {
	if l == nil {
		return
	}
	var m jobj
	m.str("id", l.ID)
	o.add(key, append(m, fieldMembers(l.Extensions)...))
}

func (o *jobj) sourceDests(key, kind string, l []SourceDest) {
	if l == nil {
		return
	}
	arr := make([]any, 0, len(l))
	for _, sd := range l {
		var m jobj
		m.str("type", cbv.SourceDestType.Short(sd.Type))
		m.add(kind, sd.ID)
		arr = append(arr, m)
	}
	o.add(key, arr)
}
