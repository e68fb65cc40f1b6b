import csv, random
random.seed(14)
# (name, domain, country) of real-looking distinct companies
base = [
("Initech LLC","initech.com","US"),("Vandelay Industries Inc","vandelay.com","US"),("Globex Corporation","globex.com","US"),
("Müller Maschinenbau GmbH","mueller-maschinenbau.de","DE"),("Société Générale de Transport SA","sgtransport.fr","FR"),
("Hooli Inc.","hooli.com","US"),("Wayne Enterprises","wayne-enterprises.com","US"),("Stark Industries","starkindustries.com","US"),
("Cyberdyne Systems Corp","cyberdyne.com","US"),("Umbrella Pharma Ltd","umbrellapharma.co.uk","GB"),("Tyrell Corporation","tyrell.com","US"),
("Soylent Foods Inc","soylentfoods.com","US"),("Acme Tools Pty Ltd","acmetools.com.au","AU"),("Nordvik Shipping AB","nordvik.se","SE"),
("Kobayashi Precision KK","kobayashi-precision.co.jp","JP"),("Van der Berg Logistiek BV","vanderberglogistiek.nl","NL"),
("Rossi Costruzioni S.p.A.","rossicostruzioni.it","IT"),("García Alimentación SL","garciaalimentacion.es","ES"),
("Greenfield Farms","greenfieldfarms.com","US"),("Harbor Freight Tools","harborfreight.com","US"),("Northwind Traders","northwindtraders.com","US"),
("Contoso Ltd","contoso.com","US"),("Fabrikam Inc","fabrikam.com","US"),("Tailspin Toys","tailspintoys.com","US"),
("Adventure Works Cycles","adventure-works.com","US"),("Litware Inc","litwareinc.com","US"),("Proseware Inc","proseware.com","US"),
("Woodgrove Bank","woodgrovebank.com","US"),("Lamna Healthcare Company","lamnahealthcare.com","US"),("Trey Research","treyresearch.net","US"),
("Bellows College","bellowscollege.edu","US"),("Blue Yonder Airlines","blueyonderairlines.com","US"),("Coho Winery","cohowinery.com","US"),
("Fourth Coffee","fourthcoffee.com","US"),("Graphic Design Institute","graphicdesigninstitute.com","US"),("Humongous Insurance","humongousinsurance.com","US"),
("Margie's Travel","margiestravel.com","US"),("Southridge Video","southridgevideo.com","US"),("Wide World Importers","wideworldimporters.com","US"),
("Alpine Ski House","alpineskihouse.com","CH"),("Bergström Verktyg AB","bergstromverktyg.se","SE"),("Østergaard Møbler A/S","ostergaard-mobler.dk","DK"),
("Łódź Metal Sp. z o.o.","lodzmetal.pl","PL"),("Papeterie Dubois SARL","papeterie-dubois.fr","FR"),("Schneider & Koch KG","schneider-koch.de","DE"),
("Johnson & Sons Ltd","johnsonandsons.co.uk","GB"),("AT&T Field Services","att-fieldservices.com","US"),("Pinnacle Dental Group","pinnacledental.com","US"),
("Sunrise Dental","sunrisedental.com","US"),("Phoenix Medical Center","phoenixmedical.org","US"),("Apex Systems","apexsystems.com","US"),
("Summit Logistics Inc","summitlogistics.com","US"),("Evergreen Realty","evergreenrealty.com","US"),("Quantum Analytics GmbH","quantum-analytics.de","DE"),
("Sterling Financial Partners","sterlingfp.com","US"),("Cedar Ridge Brewing Co","cedarridgebrewing.com","US"),("Orion Aerospace Ltd","orionaerospace.co.uk","GB"),
("Maple Leaf Hardware","mapleleafhardware.ca","CA"),("Kangaroo Freight Pty Ltd","kangaroofreight.com.au","AU"),("Tanaka Robotics","tanakarobotics.jp","JP"),
("Lumina Solar SA","luminasolar.es","ES"),("Brightwater Plumbing","brightwaterplumbing.com","US"),("Ironclad Security Services","ironcladsecurity.com","US"),
("Falcon Ridge Consulting","falconridgeconsulting.com","US"),("Riverbend Bakery","riverbendbakery.com","US"),("Granite State Insurance","granitestateins.com","US"),
("Helix Biolabs Inc","helixbiolabs.com","US"),("Vertex Manufacturing Corp","vertexmfg.com","US"),("Nimbus Cloud Networks","nimbuscloud.io","US"),
("Crescent Hotels & Resorts","crescenthotels.com","US"),("Zenith Motors SARL","zenithmotors.fr","FR"),("Bianchi Tessuti Srl","bianchitessuti.it","IT"),
("Keystone Builders LLC","keystonebuilders.com","US"),("Polaris Data Systems","polarisdata.com","US"),("Oakmont Furniture","oakmontfurniture.com","US"),
("Silverline Media Group","silverlinemedia.com","US"),("Redwood Capital Ventures","redwoodcapital.com","US"),("Meridian Health Partners","meridianhealth.org","US"),
("Copperfield Mining Ltd","copperfieldmining.ca","CA"),("Atlas Freight Forwarding","atlasfreight.com","US"),("Harvest Moon Foods","harvestmoonfoods.com","US"),
("Beacon Street Advisors","beaconstreetadvisors.com","US"),("Lighthouse Software BV","lighthousesoftware.nl","NL"),("Fjord Seafood AS","fjordseafood.no","NO"),
("Sakura Trading KK","sakuratrading.co.jp","JP"),("Condor Airlines SA","condorairlines.com.ar","AR"),("Jaguar Textiles S.A. de C.V.","jaguartextiles.com.mx","MX"),
("Pampas Agro SA","pampasagro.com.ar","AR"),("Samba Telecom Ltda","sambatelecom.com.br","BR"),("Kiwi Orchards Ltd","kiwiorchards.co.nz","NZ"),
("Bavaria Brau AG","bavariabrau.de","DE"),("Alpen Energie AG","alpenenergie.ch","CH"),("Danube Logistics GmbH","danubelogistics.at","AT"),
("Celtic Knitwear Ltd","celticknitwear.ie","IE"),("Thames Water Engineering plc","thameswatereng.co.uk","GB"),("Baltic Amber OÜ","balticamber.ee","EE"),
("Mistral Wind Power SAS","mistralwind.fr","FR"),("Acropolis Marble SA","acropolismarble.gr","GR"),("Bosphorus Trade AS","bosphorustrade.com.tr","TR"),
("Ganges Textiles Pvt Ltd","gangestextiles.in","IN"),("Mekong Rice Co","mekongrice.vn","VN"),("Kalahari Mining Pty Ltd","kalaharimining.co.za","ZA"),
]
def typo(name):
    words=name.split()
    idx=max(range(len(words)), key=lambda i: len(words[i]))
    w=list(words[idx])
    if len(w)>5:
        i=random.randint(1,len(w)-3)
        if random.random()<0.5:
            w[i],w[i+1]=w[i+1],w[i]
        else:
            w[i]= 'e' if w[i]!='e' else 'a'
    words[idx]=''.join(w)
    return ' '.join(words)
legal={"US":["Inc","LLC","Corp.","Corporation","Co."],"DE":["GmbH","AG"],"FR":["SA","SAS","SARL"],"GB":["Ltd","Limited","PLC"]}
def strip_legal(n):
    toks=n.replace(",","").split()
    drop={"inc","inc.","llc","ltd","ltd.","corp","corp.","corporation","gmbh","sa","sas","sarl","ab","kk","bv","s.p.a.","sl","pty","plc","a/s","srl","ag","kg","as","ltda","oü","co","co.","company","sp.","z","o.o.","de","c.v.","s.a.","pvt","limited"}
    while len(toks)>1 and toks[-1].lower() in drop: toks=toks[:-1]
    return ' '.join(toks)
rows=[]
def add(p,v,label,note):
    rows.append([p[0],p[1],p[2],v[0],v[1],v[2],label,note])
for (n,d,c) in base:
    kinds=random.sample(["legal","case","typo","url","nodomain","subdomain","the","nocountry","sub_only_domain","and"],4)
    for k in kinds:
        if k=="legal":
            alt=strip_legal(n)+" "+random.choice(legal.get(c,["Ltd","Inc"]))
            add((alt,d,c),(n,d,c),1,"another legal form")
        elif k=="case":
            add((n.upper(),d.upper(),c),(n,d,c),1,"upper case")
        elif k=="typo":
            add((typo(n),"",c),(n,d,c),1,"typo, no partner domain")
        elif k=="url":
            add((strip_legal(n),"https://www."+d+"/about",c),(n,d,c),1,"URL for a domain, no legal form")
        elif k=="nodomain":
            add((n,"",c),(n,d,c),1,"same name, partner without domain")
        elif k=="subdomain":
            add((n,"shop."+d,c),(n,d,c),1,"subdomain")
        elif k=="the":
            add(("The "+n,d,c),(n,d,""),1,"leading The, vendor without country")
        elif k=="nocountry":
            add((n,d,""),(strip_legal(n),d,c),1,"partner without country")
        elif k=="sub_only_domain":
            add((strip_legal(n)+" "+random.choice(["Holdings","Group"]),d,c),(n,d,c),1,"same domain, generic word added")
        elif k=="and":
            nn=n.replace("&","and") if "&" in n else n
            add((nn,"info@"+d,c),(n,d,c),1,"e-mail address for a domain")
# hard negatives
others=base[:]
for i,(n,d,c) in enumerate(base):
    k=random.sample(["samename_otherco","subsidiary","freemail","similar","othercountry_samename","differentco_samecountry"],3)
    for kind in k:
        if kind=="samename_otherco":
            alt_c = random.choice([x for x in ["US","DE","FR","GB","JP","BR","IN","AU"] if x!=c])
            add((strip_legal(n),strip_legal(n).lower().replace(" ","").replace("&","")[:12]+"-"+alt_c.lower()+".com",alt_c),(n,d,c),0,"same name, another company: other domain and country")
        elif kind=="subsidiary":
            add((strip_legal(n)+" "+random.choice(["Logistics","Capital","Foundation","Labs","Retail"]),d.split(".")[0]+random.choice(["-logistics","capital","foundation","labs","retail"])+".com",c),(n,d,c),0,"subsidiary or sister company on its own domain")
        elif kind=="freemail":
            o=random.choice([x for x in others if x[0]!=n])
            add((o[0],"gmail.com",o[2]),(n,"gmail.com",c),0,"both on free mail, different companies")
        elif kind=="similar":
            o=random.choice([x for x in others if x[0]!=n])
            add((o[0],o[1],o[2]),(n,d,c),0,"unrelated companies")
        elif kind=="othercountry_samename":
            oc=random.choice([x for x in ["US","DE","FR","GB","JP"] if x!=c]); add((n,d.split(".")[0].replace("-","")+"-"+oc.lower()+".biz",oc),(n,d,c),0,"same name across countries, each on its own domain")
        elif kind=="differentco_samecountry":
            words=strip_legal(n).split()
            alt=words[0]+" "+random.choice(["Dental","Bakery","Motors","Realty","Textiles","Farms"])
            if alt.lower()==strip_legal(n).lower(): alt=words[0]+" Partners"
            add((alt,"",c),(n,d,c),0,"shares the first word only, same country")
# hand-picked cases
hand=[
("Sunset Dental","sunsetdental.com","US","Sunrise Dental","sunrisedental.com","US",0,"similar generic names"),
("Phoenix Dental","","US","Phoenix Medical Center","phoenixmedical.org","US",0,"same first word, other business"),
("Greenfeild Farms","","US","Greenfield Farms","greenfieldfarms.com","US",1,"transposition typo"),
("Harbor Fright Tools","","US","Harbor Freight Tools","harborfreight.com","US",1,"missing letter"),
("North Wind Traders","","US","Northwind Traders","northwindtraders.com","US",1,"spacing"),
("Mueller Maschinenbau","","DE","Müller Maschinenbau GmbH","mueller-maschinenbau.de","DE",1,"umlaut spelled out"),
("Apex Systems","apexsystems.net","US","Apex Systems","apexsystems.com","US",1,"same name, other suffix"),
("Apex Systems","apex-sys.de","DE","Apex Systems","apexsystems.com","US",0,"same name, other company in another country"),
("AT and T Field Services","","US","AT&T Field Services","att-fieldservices.com","US",1,"& spelled and"),
("Johnson and Sons Limited","johnsonandsons.co.uk","GB","Johnson & Sons Ltd","johnsonandsons.co.uk","GB",1,"and for &, legal form"),
("Société Generale de Transport","","FR","Societe Generale de Transport SA","sgtransport.fr","FR",1,"accents"),
("Initech","initech.io","US","Initech LLC","initech.com","US",1,"same label other tld"),
("Initrode","initrode.com","US","Initech LLC","initech.com","US",0,"similar name other company"),
("Globex","globex.com","US","Globex Corporation","globex.com","US",1,"short form"),
("Globex Logistics","globexlogistics.com","US","Globex Corporation","globex.com","US",0,"subsidiary"),
("Stark Industries","gmail.com","US","Stark Industries","starkindustries.com","US",1,"free mail partner, same name"),
("Bob's Plumbing","gmail.com","US","Brightwater Plumbing","gmail.com","US",0,"free mail both, other names"),
("Contoso","outlook.com","US","Fabrikam Inc","outlook.com","US",0,"free mail both"),
]
for h in hand: rows.append(list(h))
with open("/work/wt/c-mapping/internal/crm/testdata/mapping_labeled.csv","w",newline="") as f:
    w=csv.writer(f)
    w.writerow(["partner_name","partner_domain","partner_country","vendor_name","vendor_domain","vendor_country","same_company","case"])
    w.writerows(rows)
print(len(rows), sum(1 for r in rows if r[6]==1))
