package dataset_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"time"

	"zhanxin/internal/auth"
	"zhanxin/internal/chain"
	"zhanxin/internal/dataset"
	"zhanxin/internal/store"
	"zhanxin/internal/storetest"
)

// Every quote in chains.json is a sentence of the article, word for word; a link without
// one says so in its source; every placement and enterprise industry has one.
func TestChainQuotesAreTheArticles(t *testing.T) {
	art, err := fs.ReadFile(dataset.Default(), "article.zh-Hans.txt")
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(dataset.Default(), "chains.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Chains []struct{ Code, Note, Source string }
		Links  []struct {
			Chain, Code, Source, Quote string
		}
		EnterpriseIndustries []struct{ Enterprise, Source, Quote string } `json:"enterprise_industries"`
		Placements           []struct{ Enterprise, Source, Quote string }
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	in := func(what, q string) {
		if q == "" || !strings.Contains(string(art), q) {
			t.Errorf("%s: quote %q is not in the article", what, q)
		}
	}
	if len(f.Chains) != 6 {
		t.Fatalf("%d chains, want the six of issue 4", len(f.Chains))
	}
	for _, c := range f.Chains {
		in("chain "+c.Code, c.Note)
	}
	quoted := 0
	for _, l := range f.Links {
		switch {
		case l.Source == "article":
			in("link "+l.Chain+"/"+l.Code, l.Quote)
			quoted++
		case l.Quote != "" || !strings.Contains(l.Source, "文章未单列"):
			t.Errorf("link %s/%s: a link the article does not name must say so: %+v", l.Chain, l.Code, l)
		}
	}
	// 39 of the 47 links are named by the article; 稀土金属, 抛光, 催化, 新能源汽车 and 家电 (稀土),
	// 碳化钨粉 and 钨丝 (钨) and 提取 (生物医药) come from the outline only.
	if quoted != 39 || len(f.Links) != 47 {
		t.Errorf("%d of %d links quote the article, want 39 of 47", quoted, len(f.Links))
	}
	for _, x := range f.EnterpriseIndustries {
		in("industry of "+x.Enterprise, x.Quote)
	}
	for _, x := range f.Placements {
		in("placement of "+x.Enterprise, x.Quote)
		if !strings.Contains(x.Quote, x.Enterprise) {
			t.Errorf("placement of %s: the quote does not name it: %q", x.Enterprise, x.Quote)
		}
	}
}

func TestDefaultChainsLoadThroughTheChainRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := dataset.Load(ctx, db, auth.CLI("t"), time.Now(), dataset.Default()); err != nil {
			t.Fatal(err)
		}
		sv := &chain.Service{DB: db, Now: time.Now}
		g, err := sv.Graph(ctx, auth.CLI("t"), "RE")
		if err != nil {
			t.Fatal(err)
		}
		names := map[int64]string{}
		for _, l := range g.Links {
			names[l.ID] = l.NameZh
		}
		feedback := 0
		for _, e := range g.Edges {
			if e.Kind == "feedback" {
				feedback++
				if names[e.From] != "稀土废料综合利用" || names[e.To] != "分离冶炼" {
					t.Errorf("feedback edge %s → %s", names[e.From], names[e.To])
				}
			}
		}
		if len(g.Links) != 17 || feedback != 1 {
			t.Errorf("稀土产业链: %d links, %d feedback edges", len(g.Links), feedback)
		}
		var onPM []string
		for _, l := range g.Links {
			if l.Code == "pm" {
				for _, p := range g.Placements[l.ID] {
					onPM = append(onPM, p.NameZh)
					if p.Leader {
						t.Errorf("%s marked 链主: the article names no 链主", p.NameZh)
					}
				}
			}
		}
		if len(onPM) != 1 || onPM[0] != "虔东稀土" {
			t.Errorf("永磁材料 holds %v", onPM)
		}
		// No figure of any enterprise is loaded, so every placed link is weak for lack of
		// reference data and every empty link is a gap; nothing is strong by invention.
		a, err := sv.Analyse(ctx, auth.CLI("t"), "NEV")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range a.Links {
			want := chain.Gap
			if l.Count > 0 {
				want = chain.Weak
			}
			if l.Status != want || l.LQ != nil || l.HasOutput {
				t.Errorf("NEV/%s: %s LQ %v output %v", l.Link.Code, l.Status, l.LQ, l.HasOutput)
			}
		}
	})
}
