package api

import (
	"net/http"

	"zhanxin/internal/cultivation"
	"zhanxin/internal/store"
)

// The authority-list (认定名单) and cultivation-list (培育库) endpoints of a class. The
// cultivation use cases decide who may see and change them; writes are audited there.

// ClassDesignation is an enterprise on a class's authority list with its source document.
type ClassDesignation struct {
	Class        string  `json:"class"`
	EnterpriseID int64   `json:"enterprise_id"`
	Source       string  `json:"source"`
	Period       *string `json:"period"`
	Quote        string  `json:"quote"`
}

func designationOf(d store.Designation) ClassDesignation {
	return ClassDesignation{Class: d.ClassCode, EnterpriseID: d.EnterpriseID, Source: d.Source, Period: nullString(d.Period), Quote: d.Quote}
}

func (a *API) listDesignations(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	ds, err := a.cult().Designations(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	out := []ClassDesignation{}
	for _, d := range ds {
		out = append(out, designationOf(d))
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// NewDesignation is the body of POST /api/v1/enterprise-classes/{code}/designations.
type NewDesignation struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Source       string `json:"source"`
	Period       string `json:"period"`
	Quote        string `json:"quote"`
}

func (a *API) addDesignation(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in NewDesignation
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	d, err := a.cult().AddDesignation(r.Context(), p, cultivation.NewDesignation{Class: r.PathValue("code"), EnterpriseID: in.EnterpriseID,
		Source: in.Source, Period: in.Period, Quote: in.Quote})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusCreated, designationOf(d))
	return nil
}

func (a *API) removeDesignation(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.cult().RemoveDesignation(r.Context(), p, r.PathValue("code"), pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ListEntry is the body of POST /api/v1/enterprise-classes/{code}/list.
type ListEntry struct {
	EnterpriseID int64  `json:"enterprise_id"`
	Note         string `json:"note"`
}

func (a *API) addToList(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	var in ListEntry
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := a.cult().AddToList(r.Context(), p, r.PathValue("code"), in.EnterpriseID, in.Note); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) removeFromList(w http.ResponseWriter, r *http.Request) error {
	p, err := principal(r)
	if err != nil {
		return err
	}
	if err := a.cult().RemoveFromList(r.Context(), p, r.PathValue("code"), pathID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
