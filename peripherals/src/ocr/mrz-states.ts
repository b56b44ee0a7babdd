// Issuing states and nationalities in an MRZ are ICAO 9303 part 3 codes: ISO 3166-1 alpha-3 (Germany is the
// exception, "D<<"), plus codes ICAO assigns to organisations, special passports and the specimen state Utopia.
// The OCR repair uses the list to choose between look-alike readings (UT0 → UTO); the parser does not reject
// unknown codes, because states are created and renamed.

const ISO_3166_ALPHA_3 = [
  'ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR BHS',
  'BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV',
  'CRI CUB CUW CXR CYM CYP CZE DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB',
  'GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND',
  'IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA',
  'LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI',
  'MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT',
  'PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK',
  'SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA',
  'UZB VAT VCT VEN VGB VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE',
].join(' ');

/** ICAO additions: Germany, British nationality classes, UN, refugees and stateless persons, organisations, Utopia. */
const ICAO_SPECIAL =
  'D GBD GBN GBO GBP GBS UNO UNA UNK XXA XXB XXC XXX XOM XPO XCC XES XBA XIM XCO XDC XEC XCE XAA EUE RKS UTO';

const STATES = new Set([...ISO_3166_ALPHA_3.split(' '), ...ICAO_SPECIAL.split(' ')]);

/** True for an ICAO state or organisation code, with or without its `<` padding ("D<<", "UTO"). */
export function isKnownMrzState(code: string): boolean {
  return STATES.has(code.replace(/<+$/, ''));
}
