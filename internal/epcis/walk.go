package epcis

import "zhanxin/internal/epcis/cbv"

// WalkFields calls fn for every user extension field of the event, at every depth: event
// level, ILMD, error declaration, locations, quantities and sensor elements.
func WalkFields(e *Event, fn func(*Field)) {
	var walk func(fs []Field)
	var walkValue func(v *Value)
	walkValue = func(v *Value) {
		walk(v.Fields)
		for i := range v.Items {
			walkValue(&v.Items[i])
		}
	}
	walk = func(fs []Field) {
		for i := range fs {
			fn(&fs[i])
			walkValue(&fs[i].Value)
		}
	}
	walk(e.Extensions)
	if e.ILMD != nil {
		walk(e.ILMD.Fields)
	}
	if e.ErrorDeclaration != nil {
		walk(e.ErrorDeclaration.Extensions)
	}
	for _, l := range []*Location{e.ReadPoint, e.BizLocation} {
		if l != nil {
			walk(l.Extensions)
		}
	}
	for _, ql := range [][]Quantity{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for i := range ql {
			walk(ql[i].Extensions)
		}
	}
	for i := range e.SensorElementList {
		se := &e.SensorElementList[i]
		walk(se.Extensions)
		if se.Metadata != nil {
			walk(se.Metadata.Extensions)
		}
		for j := range se.Reports {
			walk(se.Reports[j].Extensions)
		}
	}
}

// ShortenVocabulary rewrites every standard value that spells a known CBV (or GS1 Web
// Vocabulary) term to the bare term, the form the JSON binding uses: "urn:epcglobal:cbv:
// bizstep:shipping" becomes "shipping". The meaning and the hash ID do not change; values
// outside the vocabularies stay as written.
func ShortenVocabulary(e *Event) {
	e.BizStep = cbv.BizStep.Short(e.BizStep)
	e.Disposition = cbv.Disposition.Short(e.Disposition)
	if pd := e.PersistentDisposition; pd != nil {
		for i := range pd.Set {
			pd.Set[i] = cbv.Disposition.Short(pd.Set[i])
		}
		for i := range pd.Unset {
			pd.Unset[i] = cbv.Disposition.Short(pd.Unset[i])
		}
	}
	for i := range e.BizTransactionList {
		e.BizTransactionList[i].Type = cbv.BizTransactionType.Short(e.BizTransactionList[i].Type)
	}
	for i := range e.SourceList {
		e.SourceList[i].Type = cbv.SourceDestType.Short(e.SourceList[i].Type)
	}
	for i := range e.DestinationList {
		e.DestinationList[i].Type = cbv.SourceDestType.Short(e.DestinationList[i].Type)
	}
	if ed := e.ErrorDeclaration; ed != nil {
		ed.Reason = cbv.ErrorReason.Short(ed.Reason)
	}
	for i := range e.SensorElementList {
		for j := range e.SensorElementList[i].Reports {
			r := &e.SensorElementList[i].Reports[j]
			r.Type = cbv.MeasurementType.Short(r.Type)
			r.Exception = cbv.SensorAlertType.Short(r.Exception)
			r.Component = cbv.Component.Short(r.Component)
		}
	}
}
