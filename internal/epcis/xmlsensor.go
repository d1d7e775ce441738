package epcis

import (
	"strconv"
	"strings"

	"zhanxin/internal/epcis/xmltree"
)

// Sensor data in the XML binding: metadata and reports are attributes there.

func (d *xdec) sensorElement(el *xmltree.Element, ptr string) SensorElement {
	var se SensorElement
	for _, c := range el.Kids {
		switch {
		case c.Space != "":
			se.Extensions = append(se.Extensions, d.field(c))
		case c.Local == "sensorMetadata":
			se.Metadata = d.sensorMetadata(c, ptr+"/sensorMetadata")
		case c.Local == "sensorReport":
			se.Reports = append(se.Reports, d.sensorReport(c, ptr+"/sensorReport/"+strconv.Itoa(len(se.Reports))))
		default:
			se.Extensions = append(se.Extensions, d.field(c))
		}
	}
	return se
}

func (d *xdec) sensorMetadata(el *xmltree.Element, ptr string) *SensorMetadata {
	sm := &SensorMetadata{}
	for _, a := range el.Attrs {
		v, p := strings.TrimSpace(a.Value), ptr+"/"+a.Local
		if a.Space != "" {
			sm.Extensions = append(sm.Extensions, d.attrField(a))
			continue
		}
		if t := metadataTime(sm, a.Local); t != nil {
			*t = d.time(v, p, el.Line)
		} else if s := metadataString(sm, a.Local); s != nil {
			*s = v
		} else {
			sm.Extensions = append(sm.Extensions, d.attrField(a))
		}
	}
	for _, c := range el.Kids {
		sm.Extensions = append(sm.Extensions, d.field(c))
	}
	return sm
}

func (d *xdec) sensorReport(el *xmltree.Element, ptr string) SensorReport {
	var r SensorReport
	for _, a := range el.Attrs {
		v, p := strings.TrimSpace(a.Value), ptr+"/"+a.Local
		if a.Space != "" {
			r.Extensions = append(r.Extensions, d.attrField(a))
			continue
		}
		if s := reportString(&r, a.Local); s != nil {
			*s = v
			continue
		}
		if n := reportDecimal(&r, a.Local); n != nil {
			*n = d.num(v, p, el.Line)
			continue
		}
		switch a.Local {
		case "time":
			r.Time = d.time(v, p, el.Line)
		case "booleanValue":
			// xsd:boolean allows 1 and 0 as well.
			b := v == "true" || v == "1"
			if !b && v != "false" && v != "0" {
				d.bad(p, el.Line, v, "%q is not a boolean", v)
			}
			r.BooleanValue = &b
		default:
			r.Extensions = append(r.Extensions, d.attrField(a))
		}
	}
	for _, c := range el.Kids {
		r.Extensions = append(r.Extensions, d.field(c))
	}
	return r
}
