package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"zhanxin/internal/audit"
	"zhanxin/internal/ledger"
	"zhanxin/internal/quota"
	"zhanxin/internal/resource"
	"zhanxin/internal/store"
)

// The resource files of a dataset:
//
//	products.json  minerals and products: base unit, oxide and its content ("" unknown)
//	deposits.json  deposits or regional totals with reserves, each with source and quote
//	quotas.json    national total-control quotas by commodity × kind × year, and the
//	               provincial shares the sources give; each loads as a ledger with its
//	               issuance, nation and consumed-sink accounts and one grant per figure

type productRow struct {
	Code      string `json:"code"`
	NameZh    string `json:"name_zh"`
	NameEn    string `json:"name_en"`
	Kind      string `json:"kind"`
	Commodity string `json:"commodity"`
	UnitZh    string `json:"unit_zh"`
	UnitEn    string `json:"unit_en"`
	Oxide     string `json:"oxide"`
	OxidePct  string `json:"oxide_pct"`
	Basis     string `json:"basis"`
	Source    string `json:"source"`
	SortOrder int    `json:"sort_order"`
}

type quotaFile struct {
	National []struct {
		Commodity    string `json:"commodity"`
		Kind         string `json:"kind"`
		Year         int    `json:"year"`
		TotalT       string `json:"total_t"`
		Source       string `json:"source"`
		SourceStatus string `json:"source_status"`
		Note         string `json:"note"`
	} `json:"national"`
	Province []struct {
		Commodity    string `json:"commodity"`
		Kind         string `json:"kind"`
		Year         int    `json:"year"`
		RegionCode   string `json:"region_code"`
		AmountT      string `json:"amount_t"`
		Source       string `json:"source"`
		SourceStatus string `json:"source_status"`
	} `json:"province"`
}

// NationalBatch names the one grant a published annual total loads as: the sources give
// the year's total, not its batches.
const NationalBatch = "全年合计"

func (l *loader) products(c *contents) error {
	for i, r := range c.products {
		ox, ok := resource.ParsePercent(r.OxidePct)
		if !ok {
			return rowErr("products.json", i, r.Code, fmt.Errorf("oxide_pct %q is not a percentage", r.OxidePct))
		}
		p := store.Product{Code: r.Code, NameZh: r.NameZh, NameEn: r.NameEn, Kind: r.Kind, Commodity: r.Commodity, UnitZh: r.UnitZh,
			UnitEn: r.UnitEn, Oxide: r.Oxide, OxidePPM: ox, Basis: r.Basis, Source: r.Source, SortOrder: r.SortOrder}
		if err := upsert(l, "product", p.Code, p, func() (store.Product, error) { return l.tx.ProductByCode(l.ctx, p.Code) },
			sameProduct, func() error { return l.tx.UpsertProduct(l.ctx, p) }); err != nil {
			return err
		}
	}
	return nil
}

func sameProduct(a, b store.Product) bool {
	return a.Code == b.Code && a.NameZh == b.NameZh && a.NameEn == b.NameEn && a.Kind == b.Kind && a.Commodity == b.Commodity &&
		a.UnitZh == b.UnitZh && a.UnitEn == b.UnitEn && a.Oxide == b.Oxide && samePtr(a.OxidePPM, b.OxidePPM) &&
		a.Basis == b.Basis && a.Source == b.Source && a.SortOrder == b.SortOrder
}

func sameDeposit(a, b store.Deposit) bool {
	return a.NameZh == b.NameZh && a.NameEn == b.NameEn && a.RegionCode == b.RegionCode && a.Mineral == b.Mineral &&
		a.Type == b.Type && samePtr(a.ProvenG, b.ProvenG) && samePtr(a.RemainingG, b.RemainingG) && samePtr(a.GradePPM, b.GradePPM) &&
		samePtr(a.NationalShareBP, b.NationalShareBP) && a.ShareQualifier == b.ShareQualifier && a.Source == b.Source &&
		a.SourceStatus == b.SourceStatus && a.Quote == b.Quote && a.Note == b.Note
}

func (l *loader) deposits(c *contents) error {
	for i, r := range c.deposits {
		d, err := r.Validate()
		if err != nil {
			return rowErr("deposits.json", i, r.Code, err)
		}
		old, err := l.tx.DepositByCode(l.ctx, d.Code)
		switch {
		case errors.Is(err, store.ErrNotFound):
			d.CreatedAt, d.UpdatedAt = l.now, l.now
			if d.ID, err = l.tx.InsertDeposit(l.ctx, d); err != nil {
				return rowErr("deposits.json", i, r.Code, err)
			}
			l.sum.Created++
			if err := audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", "deposit", d.Code, nil, d); err != nil {
				return err
			}
		case err != nil:
			return err
		case sameDeposit(old, d):
			l.sum.Unchanged++
		default:
			d.ID, d.CreatedAt, d.UpdatedAt = old.ID, old.CreatedAt, l.now
			if err := l.tx.UpdateDeposit(l.ctx, d); err != nil {
				return rowErr("deposits.json", i, r.Code, err)
			}
			l.sum.Updated++
			if err := audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", "deposit", d.Code, old, d); err != nil {
				return err
			}
		}
	}
	return nil
}

// QuotaAccount is the code of a dataset quota account: "reo_ionic.mining.2018.nation",
// "….issuance", "….consumed", or "….360000" for a region.
func QuotaAccount(commodity, kind string, year int, holder string) string {
	return fmt.Sprintf("%s.%s.%d.%s", commodity, kind, year, holder)
}

// quotaLedger finds or opens a ledger with its issuance, nation and consumed accounts,
// counting each once per load (seen).
func (l *loader) quotaLedger(seen map[string]store.Ledger, commodity, kind string, year int) (store.Ledger, error) {
	k := fmt.Sprintf("%s/%s/%d", commodity, kind, year)
	if led, ok := seen[k]; ok {
		return led, nil
	}
	led, err := l.tx.LedgerByKey(l.ctx, commodity, kind, year)
	if err == nil {
		l.sum.Unchanged++
	}
	if errors.Is(err, store.ErrNotFound) {
		if !ledger.Commodity(commodity).Valid() || !ledger.Kind(kind).Valid() {
			return led, fmt.Errorf("ledger %s/%s/%d: unknown commodity or kind", commodity, kind, year)
		}
		led = store.Ledger{Commodity: commodity, Kind: kind, Year: year, CreatedAt: l.now}
		if led.ID, err = l.tx.InsertLedger(l.ctx, led); err != nil {
			return led, err
		}
		l.sum.Created++
		if err := audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", "ledger", fmt.Sprint(led.ID), nil, led); err != nil {
			return led, err
		}
	} else if err != nil {
		return led, err
	}
	for _, a := range []store.LedgerAccount{
		{Code: QuotaAccount(commodity, kind, year, "issuance"), Name: "国家下达总量 / national issuance", HolderKind: "nation"},
		{Code: QuotaAccount(commodity, kind, year, "nation"), Name: "全国总量控制指标 / national total", HolderKind: "nation",
			Flags: int64(ledger.DebitsMustNotExceedCredits)},
		{Code: QuotaAccount(commodity, kind, year, "consumed"), Name: "已消耗 / consumed", HolderKind: "sink", SinkKind: ledger.Consumed},
	} {
		if err := l.quotaAccount(led.ID, a); err != nil {
			return led, err
		}
	}
	seen[k] = led
	return led, nil
}

func (l *loader) quotaAccount(ledgerID int64, a store.LedgerAccount) error {
	if _, err := l.tx.LedgerAccountByCode(l.ctx, a.Code); err == nil {
		l.sum.Unchanged++
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	a.LedgerID, a.CreatedAt = ledgerID, l.now
	if _, err := l.tx.InsertLedgerAccount(l.ctx, a); err != nil {
		return fmt.Errorf("account %s: %w", a.Code, err)
	}
	l.sum.Created++
	return audit.Record(l.ctx, l.tx, l.now, l.p, "dataset.load", "ledger_account", a.Code, nil, a)
}

// datasetID is a grant's transfer id derived from what it is, so loading the dataset
// again finds the same transfer instead of granting twice.
func datasetID(parts ...any) string {
	h := sha256.Sum256([]byte(fmt.Sprint(append([]any{"zhanxin-dataset"}, parts...)...)))
	return ledger.IDFromUint64(binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])).String()
}

func (l *loader) quotas(c *contents) error {
	q := &quota.Service{DB: nil, Now: func() time.Time { return l.now }, Ledger: ledger.New(nil, func() time.Time { return l.now })}
	grant := func(file string, i int, n quota.NewGrant) error {
		_, created, err := q.GrantTx(l.ctx, l.tx, l.p, n)
		if err != nil {
			return rowErr(file, i, n.To, err)
		}
		if created {
			l.sum.Created++
		} else {
			l.sum.Unchanged++
		}
		return nil
	}
	seen := map[string]store.Ledger{}
	for i, r := range c.quotas.National {
		if _, err := l.quotaLedger(seen, r.Commodity, r.Kind, r.Year); err != nil {
			return rowErr("quotas.json", i, fmt.Sprintf("%s/%s/%d", r.Commodity, r.Kind, r.Year), err)
		}
		n := quota.NewGrant{ID: datasetID(r.Commodity, r.Kind, r.Year, "nation"), From: QuotaAccount(r.Commodity, r.Kind, r.Year, "issuance"),
			To: QuotaAccount(r.Commodity, r.Kind, r.Year, "nation"), AmountT: r.TotalT, Batch: NationalBatch, Source: r.Source,
			SourceStatus: r.SourceStatus, Note: r.Note}
		if err := grant("quotas.json", i, n); err != nil {
			return err
		}
	}
	for i, r := range c.quotas.Province {
		led, err := l.quotaLedger(seen, r.Commodity, r.Kind, r.Year)
		if err != nil {
			return rowErr("quotas.json", i, r.RegionCode, err)
		}
		g, err := l.tx.RegionByCode(l.ctx, r.RegionCode)
		if err != nil {
			return rowErr("quotas.json", i, r.RegionCode, err)
		}
		code := QuotaAccount(r.Commodity, r.Kind, r.Year, r.RegionCode)
		if err := l.quotaAccount(led.ID, store.LedgerAccount{Code: code, Name: g.NameZh, HolderKind: "province", RegionCode: r.RegionCode,
			Flags: int64(ledger.DebitsMustNotExceedCredits)}); err != nil {
			return err
		}
		n := quota.NewGrant{ID: datasetID(r.Commodity, r.Kind, r.Year, r.RegionCode), From: QuotaAccount(r.Commodity, r.Kind, r.Year, "nation"),
			To: code, AmountT: r.AmountT, Batch: NationalBatch, Source: r.Source, SourceStatus: r.SourceStatus}
		if err := grant("quotas.json", i, n); err != nil {
			return err
		}
	}
	return nil
}
