package web

// LoginView is what the login page needs.
type LoginView struct {
	Lang    string // "zh-CN" or "en" (the default)
	Version string // appended to asset URLs, as on the page
	// Error says why the last attempt failed, in English; the page shows
	// it in Lang when it has a translation. Empty on a first visit.
	Error string
}

// LoginAssets are the files under static/ the login page loads. It is
// shown before the token is checked, so the server serves these without it.
var LoginAssets = []string{"style.css", "login.css", "favicon.svg"}

// loginZH translates the login page's text, keyed by its English: the page
// has no script, so static/i18n.js cannot do it there.
var loginZH = map[string]string{
	"Podium · log in":          "Podium · 登录",
	"Access token":             "访问令牌",
	"Log in":                   "登录",
	"That token is not valid.": "该访问令牌无效。",
	"Too many failed logins from this address; wait a few seconds.": "此地址登录失败次数过多，请稍候再试。",
}

func (v LoginView) lang() string {
	if v.Lang == "zh-CN" {
		return v.Lang
	}
	return "en"
}

// t is s in the page's language.
func (v LoginView) t(s string) string {
	if v.lang() == "zh-CN" {
		if zh, ok := loginZH[s]; ok {
			return zh
		}
	}
	return s
}

func (v LoginView) asset(name string) string { return assetURL(name, v.Version) }
