// Package cbv holds the GS1 Core Business Vocabulary (CBV 2.0) terms that EPCIS 2.0 events
// use as standard values (business steps, dispositions, business transaction and
// source/destination types, error reasons, sensor measurement types, alert types and
// coordinate components), and the rules for which spellings of a term mean the same.
//
// One CBV term has up to four spellings that mean the same thing:
//
//	shipping                                     bare term (JSON-LD; the context's @vocab)
//	urn:epcglobal:cbv:bizstep:shipping           CBV URN (EPCIS 1.x and the XML binding)
//	https://ref.gs1.org/cbv/BizStep-shipping     CBV 2.0 web URI (what the bare term expands to)
//	cbv:BizStep-shipping                         CURIE of the web URI (cbv = https://ref.gs1.org/cbv/)
//
// These are exactly the spellings that the CBV 2.0 event hash treats as equal, so two events
// that differ only in spelling get the same hash ID. Other look-alikes are not equivalent:
// https://ref.gs1.org/cbv/Bizstep-shipping (wrong case) or draft namespaces such as
// https://ns.gs1.org/cbv/... are different URIs, and the JSON schema forbids the latter.
package cbv

import "strings"

// Vocab is one CBV vocabulary: its terms and the prefixes that turn a term into a URI.
type Vocab struct {
	// Name is the EPCIS field the vocabulary is used in, for messages ("bizStep").
	Name string
	// URN is the EPCIS 1.x URN prefix ("urn:epcglobal:cbv:bizstep:"), empty if none.
	URN string
	// Web is the CBV 2.0 / GS1 Web Vocabulary URI prefix a bare term expands to.
	Web string
	// CURIE is Web written with the cbv: or gs1: prefix ("cbv:BizStep-").
	CURIE string

	terms []string
	set   map[string]bool
}

func newVocab(name, urn, web, curie, terms string) *Vocab {
	v := &Vocab{Name: name, URN: urn, Web: web, CURIE: curie, terms: strings.Fields(terms)}
	v.set = make(map[string]bool, len(v.terms))
	for _, t := range v.terms {
		v.set[t] = true
	}
	return v
}

// Terms returns the vocabulary's terms in CBV order.
func (v *Vocab) Terms() []string { return append([]string(nil), v.terms...) }

// Known reports whether t is a bare term of the vocabulary (case-sensitive, as in CBV).
func (v *Vocab) Known(t string) bool { return v.set[t] }

// Split recognises a value written in any of the vocabulary's spellings. term is the part
// after the vocabulary's prefix (or the whole value if it is bare); inVocab says whether the
// value is in this vocabulary's namespace at all (bare words count as in it, because a bare
// word can only mean a term of the vocabulary); known says whether term is a CBV term.
//
// A value such as "https://example.com/steps/x" is outside (inVocab false): it is a private
// vocabulary value, which EPCIS allows.
func (v *Vocab) Split(s string) (term string, inVocab, known bool) {
	switch {
	case v.URN != "" && strings.HasPrefix(s, v.URN):
		term = s[len(v.URN):]
	case strings.HasPrefix(s, v.Web):
		term = s[len(v.Web):]
	case v.CURIE != "" && strings.HasPrefix(s, v.CURIE):
		term = s[len(v.CURIE):]
	case IsBare(s):
		term = s
	default:
		return "", false, false
	}
	return term, true, v.set[term]
}

// Short returns the bare term if s spells a known term, else s unchanged. The JSON binding
// needs the bare form: the schema rejects CBV values written as urn:epcglobal:cbv URNs.
func (v *Vocab) Short(s string) string {
	if t, _, ok := v.Split(s); ok {
		return t
	}
	return s
}

// Full returns the CBV 2.0 web URI if s spells a known term, else s unchanged. This is the
// one spelling to compare and index on.
func (v *Vocab) Full(s string) string {
	if t, _, ok := v.Split(s); ok {
		return v.Web + t
	}
	return s
}

// IsBare reports whether s is a bare word rather than a URI or CURIE: no colon. Bare words
// are what a JSON-LD @vocab turns into a vocabulary URI.
func IsBare(s string) bool { return s != "" && !strings.Contains(s, ":") }

// The vocabularies. Term lists are those of CBV 2.0 and the EPCIS 2.0 JSON-LD context; a test
// checks them against the enums of the official JSON schema.
var (
	BizStep = newVocab("bizStep", "urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-", "cbv:BizStep-",
		`accepting arriving assembling collecting commissioning consigning creating_class_instance
		cycle_counting decommissioning departing destroying disassembling dispensing encoding
		entering_exiting holding inspecting installing killing loading other packing picking
		receiving removing repackaging repairing replacing reserving retail_selling sampling
		sensor_reporting shipping staging_outbound stock_taking stocking storing transporting
		unloading unpacking void_shipping`)

	Disposition = newVocab("disposition", "urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-", "cbv:Disp-",
		`active available completeness_verified completeness_inferred conformant container_closed
		container_open damaged destroyed dispensed disposed encoded expired in_progress in_transit
		inactive mismatch_instance mismatch_class mismatch_quantity needs_replacement
		no_pedigree_match non_conformant non_sellable_other partially_dispensed recalled reserved
		retail_sold returned sellable_accessible sellable_not_accessible stolen unavailable unknown`)

	BizTransactionType = newVocab("bizTransaction type", "urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-", "cbv:BTT-",
		`bol cert desadv inv pedigree po poc prodorder recadv rma testprd testres upevt`)

	SourceDestType = newVocab("source/destination type", "urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-", "cbv:SDT-",
		`owning_party possessing_party location`)

	ErrorReason = newVocab("errorDeclaration reason", "urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-", "cbv:ER-",
		`did_not_occur incorrect_data`)

	// MeasurementType and SensorAlertType live in the GS1 Web Vocabulary, not in CBV; they
	// have no URN form.
	MeasurementType = newVocab("sensorReport type", "", "https://gs1.org/voc/", "gs1:",
		`AbsoluteHumidity AbsorbedDose AbsorbedDoseRate Acceleration Radioactivity Altitude
		AmountOfSubstance AmountOfSubstancePerUnitVolume Angle AngularAcceleration AngularMomentum
		AngularVelocity Area Capacitance Conductance Conductivity Count Density Dimensionless
		DoseEquivalent DoseEquivalentRate DynamicViscosity ElectricCharge ElectricCurrent
		ElectricCurrentDensity ElectricFieldStrength Energy Exposure Force Frequency Illuminance
		Inductance Irradiance KinematicViscosity Length LinearMomentum Luminance LuminousFlux
		LuminousIntensity MagneticFlux MagneticFluxDensity MagneticVectorPotential Mass
		MassConcentration MassFlowRate MassPerAreaTime MemoryCapacity MolalityOfSolute MolarEnergy
		MolarMass MolarVolume Power Pressure RadiantFlux RadiantIntensity RelativeHumidity
		Resistance Resistivity SolidAngle SpecificVolume Speed SurfaceDensity SurfaceTension
		Temperature Time Torque Voltage Volume VolumeFlowRate VolumeFraction VolumetricFlux
		Wavenumber`)

	SensorAlertType = newVocab("sensorReport exception", "", "https://gs1.org/voc/", "gs1:",
		`ALARM_CONDITION ERROR_CONDITION`)

	Component = newVocab("sensorReport component", "", "https://ref.gs1.org/cbv/Comp-", "cbv:Comp-",
		`x y z axial_distance azimuth height spherical_radius polar_angle elevation_angle easting
		northing latitude longitude altitude`)
)

// Namespace IRIs of the two prefixes that every EPCIS 2.0 document may use without declaring.
const (
	CBVNamespace = "https://ref.gs1.org/cbv/"
	GS1Namespace = "https://gs1.org/voc/"
)

// URNToWeb rewrites the CBV 1.x URN prefixes to the CBV 2.0 web URI prefixes, anywhere in s.
// Other urn:epcglobal:cbv: URNs (business transaction IDs "bt", master data "mda") have no
// web form and stay.
func URNToWeb(s string) string {
	if !strings.Contains(s, "urn:epcglobal:cbv:") {
		return s
	}
	return urnReplacer.Replace(s)
}

var urnReplacer = strings.NewReplacer(
	"urn:epcglobal:cbv:bizstep:", BizStep.Web,
	"urn:epcglobal:cbv:disp:", Disposition.Web,
	"urn:epcglobal:cbv:btt:", BizTransactionType.Web,
	"urn:epcglobal:cbv:sdt:", SourceDestType.Web,
	"urn:epcglobal:cbv:er:", ErrorReason.Web,
)
