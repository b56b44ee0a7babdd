#!/usr/bin/env bash
# Regenerates the demo pack's illustrations: one flat poster per category, 800x500 PNG, drawn with ImageMagick
# primitives in the category colour of content/src/design/tokens.css, captioned in Noto Sans CJK SC.
# The PNGs are committed; run this only to change them:  bash content/scripts/generate-images.sh
#
# Uses /usr/bin/convert explicitly: on our build machines /usr/local/bin/convert is a stand-in that is not
# ImageMagick. Needs apt packages imagemagick and fonts-noto-cjk (scripts/setup-system.sh installs both).
set -euo pipefail

CONVERT=/usr/bin/convert
OUT="$(cd "$(dirname "$0")/.." && pwd)/packs/demo/images"
FONT_BOLD=/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc
FONT_REGULAR=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
TOKENS="$(dirname "$0")/../src/design/tokens.css"

[ -x "$CONVERT" ] || { echo "generate-images: $CONVERT not found (apt install imagemagick)" >&2; exit 1; }
for f in "$FONT_BOLD" "$FONT_REGULAR"; do
  [ -f "$f" ] || { echo "generate-images: font $f not found (apt install fonts-noto-cjk)" >&2; exit 1; }
done
mkdir -p "$OUT"

# The category colour, read from the design tokens so the posters follow the palette if it changes.
colour() { sed -n "s/.*--cat-$1: *\(#[0-9a-fA-F]\{6\}\);.*/\1/p" "$TOKENS"; }

W='fill white stroke none'
# Light tint for second-level shapes drawn on the coloured background.
T='fill rgba(255,255,255,0.55) stroke none'

# Icon drawings, centred near (590,230). $C is the category colour, for detail drawn on white shapes.
icon_government() { cat <<DRAW
$W polygon 470,178 590,112 710,178
$W rectangle 470,184 710,198
$W rectangle 486,206 508,304  rectangle 537,206 559,304  rectangle 579,206 601,304  rectangle 621,206 643,304  rectangle 672,206 694,304
$W rectangle 462,310 718,324
$W rectangle 448,330 732,344
fill $C stroke none circle 590,156 590,168
DRAW
}
icon_services() { cat <<DRAW
$W polygon 466,212 590,112 714,212
$W rectangle 494,206 686,334
$T rectangle 646,128 670,180
fill $C stroke none circle 570,250 570,272  circle 610,250 610,272
fill $C stroke none polygon 549,262 631,262 590,306
DRAW
}
icon_investment() { cat <<DRAW
$W rectangle 478,190 702,334
$W rectangle 470,128 710,146
$W rectangle 470,146 500,190   $T rectangle 500,146 530,190
$W rectangle 530,146 560,190   $T rectangle 560,146 590,190
$W rectangle 590,146 620,190   $T rectangle 620,146 650,190
$W rectangle 650,146 680,190   $T rectangle 680,146 710,190
$W circle 485,190 485,205  circle 545,190 545,205  circle 605,190 605,205  circle 665,190 665,205
$T circle 515,190 515,205  circle 575,190 575,205  circle 635,190 635,205  circle 695,190 695,205
fill $C stroke none rectangle 504,236 580,334
fill $C stroke none roundrectangle 604,236 680,296 6,6
fill white stroke none circle 566,286 566,292
DRAW
}
icon_interaction() { cat <<DRAW
$W roundrectangle 446,118 640,232 26,26
$W polygon 486,226 516,226 478,268
fill $C stroke none circle 500,175 500,188  circle 543,175 543,188  circle 586,175 586,188
$T roundrectangle 548,212 730,318 26,26
$T polygon 690,312 664,312 702,350
fill $C stroke none roundrectangle 578,248 698,260 6,6  roundrectangle 578,276 668,288 6,6
DRAW
}
icon_guide() { cat <<DRAW
$T polygon 448,250 530,222 610,250 732,222 732,340 610,368 530,340 448,368
fill none stroke white stroke-width 6 stroke-dasharray 14,10 polyline 470,330 540,300 610,318 700,282
$W circle 590,182 590,252
$W polygon 530,212 650,212 590,314
fill $C stroke none circle 590,182 590,208
DRAW
}
icon_supervision() { cat <<DRAW
$W roundrectangle 478,118 650,336 18,18
fill $C stroke none roundrectangle 526,104 602,134 10,10
fill none stroke $C stroke-width 9 polyline 502,178 514,192 536,166  polyline 502,234 514,248 536,222  polyline 502,290 514,304 536,278
fill $C stroke none roundrectangle 552,176 626,186 5,5  roundrectangle 552,232 614,242 5,5  roundrectangle 552,288 620,298 5,5
fill rgba(255,255,255,0.3) stroke white stroke-width 14 circle 674,268 674,312
fill none stroke white stroke-width 18 stroke-linecap round line 706,300 738,332
DRAW
}
icon_family_planning() { cat <<DRAW
$T path 'M 560,134 C 560,112 590,100 602,120 C 614,100 644,112 644,134 C 644,160 602,182 602,182 C 602,182 560,160 560,134 Z'
$W circle 512,170 512,200
$W roundrectangle 478,212 546,336 28,28
$W circle 668,220 668,248
$W roundrectangle 636,260 700,336 26,26
$W circle 590,236 590,258
$W roundrectangle 564,270 616,336 22,22
DRAW
}
icon_culture_education() { cat <<DRAW
$W polygon 452,190 584,170 584,324 452,314
$W polygon 596,170 728,190 728,314 596,324
fill $C stroke none rectangle 584,170 596,324
fill $C stroke none roundrectangle 474,214 562,222 4,4  roundrectangle 474,242 562,250 4,4  roundrectangle 474,270 548,278 4,4
fill $C stroke none roundrectangle 618,214 706,222 4,4  roundrectangle 618,242 706,250 4,4  roundrectangle 618,270 692,278 4,4
$W ellipse 506,140 16,12 0,360
$W rectangle 516,84 524,140
$W polygon 516,84 548,96 548,108 524,100
$T polygon 670,92 678,114 702,114 683,128 690,150 670,136 650,150 657,128 638,114 662,114
DRAW
}
icon_legal() { cat <<DRAW
$W rectangle 583,132 597,318
$W polygon 530,338 650,338 626,314 554,314
$W roundrectangle 470,142 710,156 7,7
$W circle 590,126 590,140
fill none stroke white stroke-width 4 line 484,156 452,246  line 484,156 516,246  line 696,156 664,246  line 696,156 728,246
$W path 'M 440,246 L 528,246 A 44,24 0 0,1 440,246 Z'
$W path 'M 652,246 L 740,246 A 44,24 0 0,1 652,246 Z'
DRAW
}
icon_science() { cat <<DRAW
$W polygon 560,110 620,110 620,196 690,326 490,326 560,196
$W roundrectangle 548,98 632,116 8,8
fill $C stroke none polygon 527,262 653,262 678,316 502,316
$T circle 560,292 560,300  circle 604,282 604,292  circle 632,302 632,308
fill none stroke rgba(255,255,255,0.55) stroke-width 5 ellipse 690,150 42,16 0,360  ellipse 690,150 16,42 0,360
$W circle 690,150 690,158
DRAW
}

# poster <file> <category> <zh title> <zh subtitle> <en subtitle>
poster() {
  local file="$1" category="$2" title="$3" subtitle="$4" english="$5"
  local C
  C="$(colour "$category")"
  [ -n "$C" ] || { echo "generate-images: no colour for $category in $TOKENS" >&2; exit 1; }
  local draw
  draw="$("icon_${category//-/_}")"
  # shellcheck disable=SC2086 # the draw list is deliberately word-split into -draw arguments below
  "$CONVERT" -size 800x500 "xc:$C" \
    -fill 'rgba(255,255,255,0.08)' -draw 'circle 590,230 590,410' \
    -fill 'rgba(255,255,255,0.06)' -draw 'circle 760,470 760,640' \
    -fill 'rgba(0,0,0,0.10)' -draw 'rectangle 0,440 800,500' \
    -draw "$draw" \
    -fill white -font "$FONT_REGULAR" -pointsize 20 -annotate +56+88 '幸福里社区 · Xingfuli Community' \
    -fill white -font "$FONT_BOLD" -pointsize 62 -annotate +52+230 "$title" \
    -fill 'rgba(255,255,255,0.92)' -font "$FONT_REGULAR" -pointsize 25 -annotate +56+290 "$subtitle" \
    -fill 'rgba(255,255,255,0.85)' -font "$FONT_REGULAR" -pointsize 20 -annotate +56+330 "$english" \
    -fill 'rgba(255,255,255,0.9)' -font "$FONT_REGULAR" -pointsize 18 -annotate +56+478 '和平街道 · 社区服务中心' \
    -strip -define png:compression-level=9 +dither -colors 128 "PNG8:$OUT/$file"
  echo "generate-images: $file ($(stat -c %s "$OUT/$file") bytes)"
}

poster government.png government '政务信息' '政策法规 · 办事指南 · 政务公开' 'Government: policies and procedures'
poster services.png services '服务信息' '便民服务 · 就业社保 · 生活缴费' 'Services for everyday life'
poster investment.png investment '招商信息' '招商项目 · 商铺租赁 · 优惠政策' 'Investment and shop leases'
poster interaction.png interaction '网上互动' '民意征集 · 投诉建议 · 在线咨询' 'Surveys, suggestions, questions'
poster guide.png guide '社区引导' '周边餐饮 · 商店 · 医疗与出行' 'Around the neighbourhood'
poster supervision.png supervision '监督公开' '服务评价 · 财务公开 · 监督投诉' 'Ratings, open accounts, oversight'
poster family-planning.png family-planning '计划生育' '生育服务 · 优生优育 · 政策咨询' 'Family planning and healthy families'
poster culture-education.png culture-education '文体教育' '文体活动 · 社区学校 · 场馆预约' 'Culture, sport and community school'
poster legal.png legal '法律服务' '法律咨询 · 人民调解 · 法律援助' 'Legal advice, mediation, legal aid'
poster science.png science '科普宣传' '健康知识 · 安全常识 · 科学生活' 'Science for daily life'
