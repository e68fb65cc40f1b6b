package domain

// freeMailDomains are registrable domains of free e-mail and consumer
// services: a customer "domain" of gmail.com proves nothing about which
// company it is, so matching ignores it.
var freeMailDomains = map[string]bool{}

func init() {
	for _, d := range []string{
		"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de",
		"hotmail.it", "hotmail.es", "live.com", "live.co.uk", "live.fr", "msn.com", "yahoo.com", "yahoo.co.uk",
		"yahoo.fr", "yahoo.de", "yahoo.es", "yahoo.it", "yahoo.co.jp", "yahoo.com.au", "ymail.com", "rocketmail.com",
		"aol.com", "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de",
		"gmx.net", "gmx.at", "gmx.ch", "web.de", "t-online.de", "freenet.de", "mail.com", "email.com", "zoho.com",
		"zohomail.com", "yandex.com", "yandex.ru", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru",
		"qq.com", "163.com", "126.com", "sina.com", "sohu.com", "naver.com", "daum.net", "hanmail.net",
		"orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "libero.it", "virgilio.it", "tiscali.it",
		"btinternet.com", "sky.com", "virginmedia.com", "comcast.net", "verizon.net", "att.net", "sbcglobal.net",
		"bellsouth.net", "cox.net", "charter.net", "earthlink.net", "optonline.net", "shaw.ca", "rogers.com",
		"sympatico.ca", "bigpond.com", "optusnet.com.au", "xtra.co.nz", "rediffmail.com", "seznam.cz", "wp.pl",
		"o2.pl", "interia.pl", "onet.pl", "tutanota.com", "tuta.io", "hey.com", "fastmail.com", "hushmail.com",
		"uol.com.br", "bol.com.br", "terra.com.br", "ig.com.br", "telenet.be", "skynet.be", "ziggo.nl", "kpnmail.nl",
		"bluewin.ch", "sunrise.ch", "online.no", "telia.com", "bredband.net", "luukku.com", "abv.bg",
	} {
		freeMailDomains[d] = true
	}
}

// IsFreeMail reports whether a registrable domain belongs to a free e-mail
// or consumer service.
func IsFreeMail(registrable string) bool { return freeMailDomains[registrable] }
