package epcis

import (
	"fmt"
	"strconv"
	"time"
)

// Sensor data in the JSON binding; the member names are shared with the XML reader.

func (d *jdec) sensorElements(v any, ptr string) []SensorElement {
	arr, ok := v.([]any)
	if !ok {
		d.bad(ptr, "", "must be an array of sensor elements")
		return nil
	}
	out := make([]SensorElement, 0, len(arr))
	for i, e := range arr {
		p := ptrJoin(ptr, strconv.Itoa(i))
		m := d.obj(e, p)
		var se SensorElement
		for _, k := range sortedKeys(m) {
			v, p := m[k], ptrJoin(p, k)
			switch k {
			case "sensorMetadata":
				se.Metadata = d.sensorMetadata(v, p)
			case "sensorReport":
				reps, ok := v.([]any)
				if !ok {
					d.bad(p, "", "must be an array of sensor reports")
					continue
				}
				for j, r := range reps {
					se.Reports = append(se.Reports, d.sensorReport(r, ptrJoin(p, strconv.Itoa(j))))
				}
			default:
				se.Extensions = append(se.Extensions, d.ext(k, v))
			}
		}
		out = append(out, se)
	}
	return out
}

func (d *jdec) sensorMetadata(v any, ptr string) *SensorMetadata {
	m := d.obj(v, ptr)
	if m == nil {
		return nil
	}
	sm := &SensorMetadata{}
	for _, k := range sortedKeys(m) {
		v, p := m[k], ptrJoin(ptr, k)
		if t := metadataTime(sm, k); t != nil {
			*t = d.time(v, p)
		} else if s := metadataString(sm, k); s != nil {
			*s = d.str(v, p)
		} else {
			sm.Extensions = append(sm.Extensions, d.ext(k, v))
		}
	}
	return sm
}

func (d *jdec) sensorReport(v any, ptr string) SensorReport {
	m := d.obj(v, ptr)
	var r SensorReport
	for _, k := range sortedKeys(m) {
		v, p := m[k], ptrJoin(ptr, k)
		if s := reportString(&r, k); s != nil {
			*s = d.str(v, p)
			continue
		}
		if n := reportDecimal(&r, k); n != nil {
			*n = d.num(v, p)
			continue
		}
		switch k {
		case "time":
			r.Time = d.time(v, p)
		case "booleanValue":
			b, ok := v.(bool)
			if !ok {
				d.bad(p, fmt.Sprint(v), "must be true or false")
			}
			r.BooleanValue = &b
		default:
			r.Extensions = append(r.Extensions, d.ext(k, v))
		}
	}
	return r
}

// metadataTime and metadataString map sensor metadata member names to fields, as
// reportString and reportDecimal do for reports; both bindings read (and XML writes)
// through them, so the readers cannot drift apart.
func metadataTime(m *SensorMetadata, k string) *time.Time {
	switch k {
	case "time":
		return &m.Time
	case "startTime":
		return &m.StartTime
	case "endTime":
		return &m.EndTime
	}
	return nil
}

// metadataNames are the string members of sensor metadata, in the order XML writes them.
var metadataNames = []string{"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"}

func metadataString(m *SensorMetadata, k string) *string {
	switch k {
	case "deviceID":
		return &m.DeviceID
	case "deviceMetadata":
		return &m.DeviceMetadata
	case "rawData":
		return &m.RawData
	case "dataProcessingMethod":
		return &m.DataProcessingMethod
	case "bizRules":
		return &m.BizRules
	}
	return nil
}

// reportStrings and reportDecimals are the members reportString and reportDecimal map, in
// the order XML writes them.
var (
	reportStrings = []string{"type", "exception", "deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules",
		"microorganism", "chemicalSubstance", "component", "stringValue", "hexBinaryValue", "uriValue", "uom", "coordinateReferenceSystem"}
	reportDecimals = []string{"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)

// reportString and reportDecimal map sensor report member names to fields; both bindings
// use them, so the two readers cannot drift apart.
func reportString(r *SensorReport, k string) *string {
	switch k {
	case "type":
		return &r.Type
	case "exception":
		return &r.Exception
	case "deviceID":
		return &r.DeviceID
	case "deviceMetadata":
		return &r.DeviceMetadata
	case "rawData":
		return &r.RawData
	case "dataProcessingMethod":
		return &r.DataProcessingMethod
	case "bizRules":
		return &r.BizRules
	case "microorganism":
		return &r.Microorganism
	case "chemicalSubstance":
		return &r.ChemicalSubstance
	case "component":
		return &r.Component
	case "stringValue":
		return &r.StringValue
	case "hexBinaryValue":
		return &r.HexBinaryValue
	case "uriValue":
		return &r.URIValue
	case "uom":
		return &r.UOM
	case "coordinateReferenceSystem":
		return &r.CoordinateReferenceSystem
	}
	return nil
}

func reportDecimal(r *SensorReport, k string) *Decimal {
	switch k {
	case "value":
		return &r.Value
	case "minValue":
		return &r.MinValue
	case "maxValue":
		return &r.MaxValue
	case "meanValue":
		return &r.MeanValue
	case "sDev":
		return &r.SDev
	case "percRank":
		return &r.PercRank
	case "percValue":
		return &r.PercValue
	}
	return nil
}
