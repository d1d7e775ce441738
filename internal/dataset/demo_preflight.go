package dataset

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"zhanxin/internal/apperr"
	"zhanxin/internal/store"
)

// demoPreflight runs before the demonstration writes anything. The demonstration is
// written step by step through the use cases, each in its own transaction (one shared
// transaction would need a transaction-taking variant of every use case it calls), so a
// step refused half-way would leave the earlier steps behind. What can make a step fail on
// a database that has the default dataset is a name it creates being taken already or a
// product it uses missing; both are checked here, and the load refused untouched.
func demoPreflight(ctx context.Context, tx *store.Tx) error {
	var clash []string
	for _, k := range [][2]string{{"reo_ionic", "mining"}, {"reo_ionic", "supply_allocation"}} {
		if _, err := tx.LedgerByKey(ctx, k[0], k[1], 2024); err == nil {
			clash = append(clash, fmt.Sprintf("ledger %s/%s/2024", k[0], k[1]))
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if _, err := tx.DepositByCode(ctx, "DEMO-LN-1"); err == nil {
		clash = append(clash, "deposit DEMO-LN-1")
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, permit := range []string{"DEMO-C-0001", "DEMO-C-0002", "DEMO-T-0003"} {
		if _, err := tx.RightByPermit(ctx, permit); err == nil {
			clash = append(clash, "right "+permit)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if _, err := tx.ReserveDepotByCode(ctx, "DEMO-R1"); err == nil {
		clash = append(clash, "reserve depot DEMO-R1")
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if len(clash) > 0 {
		return apperr.New(apperr.Conflict, "demo_names_taken", "demo.err.names_taken", strings.Join(clash, ", "))
	}
	for _, code := range []string{"ionic_re", "ox_dy2o3"} {
		if _, err := tx.ProductByCode(ctx, code); errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Invalid, "default_dataset_first", "quota.demo.default_first")
		} else if err != nil {
			return err
		}
	}
	return nil
}
