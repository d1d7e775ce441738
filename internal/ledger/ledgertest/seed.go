// Package ledgertest holds the fixture the quota ledger's tests and its users' tests share.
package ledgertest

import (
	"context"
	"time"

	"zhanxin/internal/store"
)

// SeedEnterprises writes Jiangxi, Ganzhou and two rare earth enterprises, and returns the
// enterprises' ids.
func SeedEnterprises(ctx context.Context, db *store.DB, now time.Time) (e1, e2 int64, err error) {
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, g := range []store.Region{
			{Code: "360000", NameZh: "江西省", NameEn: "Jiangxi", Kind: "province", Source: "t"},
			{Code: "360700", NameZh: "赣州市", NameEn: "Ganzhou", Kind: "city", ParentCode: "360000", Source: "t"},
		} {
			if err := tx.UpsertRegion(ctx, g); err != nil {
				return err
			}
		}
		var err error
		if e1, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "示例稀土一厂", Source: "test", CreatedAt: now}); err != nil {
			return err
		}
		e2, err = tx.InsertEnterprise(ctx, store.Enterprise{NameZh: "示例稀土二厂", Source: "test", CreatedAt: now})
		return err
	})
	return e1, e2, err
}
