// Package dataset loads a dataset into the database: the built-in default (the Ganzhou of
// the article) or a directory of the same files. Loading is idempotent and audited: a
// record that is already there unchanged is left alone; a changed one is updated with its
// before and after in the audit log; all of it in one transaction.
package dataset

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"zhanxin/internal/apperr"
	"zhanxin/internal/audit"
	"zhanxin/internal/auth"
	"zhanxin/internal/enterprise"
	"zhanxin/internal/store"
)

//go:embed default
var defaultFS embed.FS

// Default is the built-in dataset.
func Default() fs.FS {
	sub, _ := fs.Sub(defaultFS, "default")
	return sub
}

// Dir is a dataset in a directory on disk.
func Dir(path string) (fs.FS, error) {
	st, err := os.Stat(path)
	if err != nil || !st.IsDir() {
		return nil, fmt.Errorf("dataset directory %q does not exist / 数据集目录 %q 不存在", path, path)
	}
	return os.DirFS(path), nil
}

// Summary counts what a load did.
type Summary struct {
	Created, Updated, Unchanged int
}

type regionRow struct {
	Code       string `json:"code"`
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	Kind       string `json:"kind"`
	ParentCode string `json:"parent_code"`
	Aliases    string `json:"aliases"`
	Source     string `json:"source"`
}

type enterpriseRow struct {
	NameZh     string `json:"name_zh"`
	NameEn     string `json:"name_en"`
	USCC       string `json:"uscc"`
	RegionCode string `json:"region_code"`
	Note       string `json:"note"`
	Source     string `json:"source"`
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return apperr.New(apperr.Invalid, "bad_dataset", "err.dataset.json", name, err.Error())
	}
	return nil
}

// Load loads fsys (regions.json, enterprises.json) as p, all or nothing.
func Load(ctx context.Context, db *store.DB, p *auth.Principal, now time.Time, fsys fs.FS) (Summary, error) {
	var sum Summary
	if err := auth.Require(p, auth.LoadDataset); err != nil {
		return sum, err
	}
	var regions []regionRow
	var ents []enterpriseRow
	if err := readJSON(fsys, "regions.json", &regions); err != nil {
		return sum, err
	}
	if err := readJSON(fsys, "enterprises.json", &ents); err != nil {
		return sum, err
	}
	for i, e := range ents {
		if e.USCC != "" {
			if err := enterprise.ValidateUSCC(e.USCC); err != nil {
				return sum, apperr.New(apperr.Invalid, "bad_dataset", "err.dataset.row", "enterprises.json", i+1, e.NameZh).Wrap(err)
			}
		}
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, r := range regions {
			g := store.Region(r)
			old, err := tx.RegionByCode(ctx, g.Code)
			switch {
			case errors.Is(err, store.ErrNotFound):
				if err := tx.UpsertRegion(ctx, g); err != nil {
					return fmt.Errorf("region %s: %w", g.Code, err)
				}
				sum.Created++
				if err := audit.Record(ctx, tx, now, p, "dataset.load", "region", g.Code, nil, g); err != nil {
					return err
				}
			case err != nil:
				return err
			case old == g:
				sum.Unchanged++
			default:
				if err := tx.UpsertRegion(ctx, g); err != nil {
					return fmt.Errorf("region %s: %w", g.Code, err)
				}
				sum.Updated++
				if err := audit.Record(ctx, tx, now, p, "dataset.load", "region", g.Code, old, g); err != nil {
					return err
				}
			}
		}
		for _, r := range ents {
			e := store.Enterprise{NameZh: r.NameZh, NameEn: r.NameEn, USCC: r.USCC, RegionCode: r.RegionCode, Note: r.Note, Source: r.Source}
			old, err := tx.EnterpriseByName(ctx, e.NameZh)
			switch {
			case errors.Is(err, store.ErrNotFound):
				e.CreatedAt = now
				if e.ID, err = tx.InsertEnterprise(ctx, e); err != nil {
					return fmt.Errorf("enterprise %s: %w", e.NameZh, err)
				}
				sum.Created++
				if err := audit.Record(ctx, tx, now, p, "dataset.load", "enterprise", fmt.Sprint(e.ID), nil, e); err != nil {
					return err
				}
			case err != nil:
				return err
			default:
				e.ID, e.CreatedAt = old.ID, old.CreatedAt
				if old == e {
					sum.Unchanged++
					continue
				}
				if err := tx.UpdateEnterprise(ctx, e); err != nil {
					return fmt.Errorf("enterprise %s: %w", e.NameZh, err)
				}
				sum.Updated++
				if err := audit.Record(ctx, tx, now, p, "dataset.load", "enterprise", fmt.Sprint(e.ID), old, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return sum, err
}
