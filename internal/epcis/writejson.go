package epcis

import (
	"bytes"
	"io"
)

// WriteJSON writes a document as JSON-LD: an EPCISDocument, an EPCISQueryDocument, or a
// single event with its own @context. Standard values are written in the forms the JSON
// schema accepts (CBV terms bare: "shipping", not the URN). The output keeps the meaning of
// the input, and each event keeps its hash ID.
func WriteJSON(w io.Writer, doc *Document) error {
	var b bytes.Buffer
	if err := writeJSON(&b, documentJSON(doc)); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// MarshalJSON returns the document as JSON-LD (see WriteJSON).
func (doc *Document) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	err := WriteJSON(&b, doc)
	return b.Bytes(), err
}

func documentJSON(doc *Document) jobj {
	header := jobj{}
	header.str("id", doc.ID)
	header.str("schemaVersion", doc.SchemaVersion)
	header.time("creationDate", doc.CreationDate)
	header.str("instanceIdentifier", doc.InstanceIdentifier)
	header.str("sender", doc.Sender)
	header.str("receiver", doc.Receiver)
	if len(doc.Header) > 0 && doc.Binding != XMLBinding {
		header.add("epcisHeader", append(jobj{}, fieldMembers(doc.Header)...))
	}
	header = append(header, fieldMembers(doc.Extensions)...)

	events := make([]jobj, len(doc.Events))
	scopes := make([]*nsScope, 0, len(doc.Events)+1)
	scopes = append(scopes, newScope(header, doc.Namespaces))
	for i, e := range doc.Events {
		events[i] = eventJSON(e)
		scopes = append(scopes, newScope(events[i], e.Namespaces))
	}
	docNS, own := placeNamespaces(scopes, true)
	for i, s := range scopes {
		if i == 0 {
			s.rename(header)
			continue
		}
		s.rename(events[i-1])
		if own[i] != nil {
			events[i-1] = append(jobj{{key: "@context", val: contextJSON(own[i], false)}}, events[i-1]...)
		}
	}

	out := jobj{{key: "@context", val: contextJSON(docNS, true)}}
	if doc.Type == SingleEvent && len(events) == 1 {
		// A single event carries the document's context itself.
		return append(out, events[0]...)
	}
	typ := doc.Type
	if typ != EPCISQueryDocument {
		typ = EPCISDocument
	}
	out.add("type", string(typ))
	out = append(out, header...)
	list := make([]any, len(events))
	for i, e := range events {
		list[i] = e
	}
	if typ == EPCISQueryDocument {
		rb := jobj{{key: "eventList", val: list}}
		if len(doc.MasterData) > 0 && doc.Binding != XMLBinding {
			rb = append(rb, fieldMembers(doc.MasterData)...)
		}
		var qr jobj
		qr.str("queryName", doc.QueryName)
		qr.str("subscriptionID", doc.SubscriptionID)
		qr.add("resultsBody", rb)
		out.add("epcisBody", jobj{{key: "queryResults", val: qr}})
		return out
	}
	out.add("epcisBody", jobj{{key: "eventList", val: list}})
	return out
}
