import type { CategoryId, Locale } from '@linli/content';
import type { FakeItemInput, FakeSignageServer } from './fake-signage-server';
import { drawScene, type Rgb } from './png-image';

/** One fixture notice in both languages. */
interface FixtureNotice {
  id: string;
  category: CategoryId;
  zh: { title: string; summary: string; body: string };
  en: { title: string; summary: string; body: string };
  colours: [Rgb, Rgb];
  daysAgo: number;
}

const NOTICES: FixtureNotice[] = [
  {
    id: 'heating-notice',
    category: 'government',
    zh: {
      title: '冬季供暖开始时间通知',
      summary: '本小区将于11月15日起正式供暖，请居民检查室内暖气阀门。',
      body: '## 供暖安排\n\n- 试供暖：11月10日至14日\n- 正式供暖：11月15日起\n\n如有暖气不热，请拨打物业服务电话。',
    },
    en: {
      title: 'Winter heating starts',
      summary: 'Heating begins on 15 November; please check the valves of your radiators.',
      body: '## Schedule\n\n- Test run: 10–14 November\n- Heating: from 15 November\n\nIf a radiator stays cold, call the property office.',
    },
    colours: [
      [11, 110, 105],
      [47, 107, 31],
    ],
    daysAgo: 1,
  },
  {
    id: 'elderly-card',
    category: 'services',
    zh: {
      title: '老年人优待证办理指南',
      summary: '年满60周岁的居民可在社区服务站办理老年人优待证。',
      body: '请携带**身份证**和一寸照片到服务站一楼窗口办理，当场领证。',
    },
    en: {
      title: 'How to get a senior citizen card',
      summary: 'Residents aged 60 or over can apply at the community service station.',
      body: 'Bring your **ID card** and a passport photo to the ground-floor counter; the card is issued on the spot.',
    },
    colours: [
      [29, 95, 168],
      [53, 97, 138],
    ],
    daysAgo: 2,
  },
  {
    id: 'shop-lease',
    category: 'investment',
    zh: {
      title: '社区底商招租公告',
      summary: '3号楼底商两间铺面对外招租，适合便利店、药店等便民业态。',
      body: '面积分别为 45 m² 和 60 m²，优先考虑便民服务类商户。',
    },
    en: {
      title: 'Shops for lease in Building 3',
      summary: 'Two ground-floor shops are available, suited to a convenience store or pharmacy.',
      body: 'They measure 45 m² and 60 m²; everyday services for residents are preferred.',
    },
    colours: [
      [122, 74, 0],
      [154, 44, 44],
    ],
    daysAgo: 3,
  },
  {
    id: 'park-survey',
    category: 'interaction',
    zh: {
      title: '小区花园改造意见征集',
      summary: '花园改造方案已出，欢迎居民提出意见和建议。',
      body: '征集时间截至本月底，可在服务站或本机“网上互动”栏目留言。',
    },
    en: {
      title: 'Tell us about the garden redesign',
      summary: 'The garden redesign plan is out: residents are welcome to comment.',
      body: 'Comments are open until the end of the month, at the service station or on this kiosk.',
    },
    colours: [
      [107, 63, 160],
      [47, 107, 31],
    ],
    daysAgo: 4,
  },
  {
    id: 'clinic-hours',
    category: 'guide',
    zh: {
      title: '社区卫生服务中心门诊时间',
      summary: '周一至周五 8:00–17:00，周六上午门诊，节假日急诊照常。',
      body: '卫生服务中心位于小区东门对面，步行约5分钟。',
    },
    en: {
      title: 'Community clinic opening hours',
      summary: 'Mon–Fri 8:00–17:00, Saturday mornings; emergencies every day.',
      body: 'The clinic is across from the east gate, about five minutes on foot.',
    },
    colours: [
      [47, 107, 31],
      [15, 107, 138],
    ],
    daysAgo: 5,
  },
  {
    id: 'fee-report',
    category: 'supervision',
    zh: {
      title: '第三季度物业费收支公示',
      summary: '本季度物业费收支明细已公示，欢迎居民监督。',
      body: '如有疑问，请在工作日到服务站查阅原始票据。',
    },
    en: {
      title: 'Property fees: third-quarter accounts',
      summary: 'Income and spending of the property fees this quarter are published for residents to check.',
      body: 'Questions? Original receipts can be inspected at the service station on working days.',
    },
    colours: [
      [154, 44, 44],
      [122, 74, 0],
    ],
    daysAgo: 6,
  },
  {
    id: 'health-check',
    category: 'family-planning',
    zh: {
      title: '孕前优生健康检查免费开放',
      summary: '符合条件的夫妇可预约免费孕前健康检查。',
      body: '预约请到服务站二楼计生窗口。',
    },
    en: {
      title: 'Free pre-pregnancy health checks',
      summary: 'Eligible couples can book a free pre-pregnancy check-up.',
      body: 'Book at the family-planning desk on the first floor of the service station.',
    },
    colours: [
      [163, 49, 111],
      [107, 63, 160],
    ],
    daysAgo: 7,
  },
  {
    id: 'calligraphy-class',
    category: 'culture-education',
    zh: {
      title: '社区书法班开始报名',
      summary: '每周六上午在活动中心开课，老少皆宜。',
      body: '名额30人，报满即止。',
    },
    en: {
      title: 'Calligraphy class: sign up now',
      summary: 'Saturday mornings at the activity centre, for all ages.',
      body: 'Thirty places, first come first served.',
    },
    colours: [
      [53, 97, 138],
      [11, 110, 105],
    ],
    daysAgo: 8,
  },
  {
    id: 'legal-aid',
    category: 'legal',
    zh: {
      title: '每周三律师驻点咨询',
      summary: '社区法律顾问每周三下午在服务站提供免费法律咨询。',
      body: '可咨询婚姻家庭、劳动纠纷、物业纠纷等问题。',
    },
    en: {
      title: 'Free legal advice on Wednesdays',
      summary: 'The community lawyer gives free advice every Wednesday afternoon.',
      body: 'Family matters, labour disputes and property disputes are all welcome.',
    },
    colours: [
      [74, 79, 140],
      [29, 95, 168],
    ],
    daysAgo: 9,
  },
  {
    id: 'fire-safety',
    category: 'science',
    zh: {
      title: '冬季用电防火小常识',
      summary: '电暖器远离可燃物，人走断电，不私拉电线。',
      body: '1. 电暖器周围一米内不放衣物\n2. 外出前关闭电源\n3. 电动车不进楼道充电',
    },
    en: {
      title: 'Fire safety with heaters in winter',
      summary: 'Keep heaters clear of anything that burns and switch them off when you leave.',
      body: '1. Nothing within a metre of a heater\n2. Switch off before going out\n3. Never charge e-bikes in stairwells',
    },
    colours: [
      [15, 107, 138],
      [11, 110, 105],
    ],
    daysAgo: 10,
  },
];

/** A fixture instant: `days` before a fixed reference, so fixtures are the same on every run. */
export function fixtureInstant(days: number): string {
  return new Date(Date.UTC(2026, 10, 20, 2, 0, 0) - days * 86_400_000).toISOString();
}

/** One language version of a fixture notice. */
export function fixtureItem(
  notice: { id: string; category: CategoryId },
  locale: Locale,
  text: { title: string; summary: string; body: string },
  options: { images?: { sha256: string; alt: string }[]; daysAgo?: number; version?: number } = {},
): FakeItemInput {
  return {
    id: notice.id,
    category: notice.category,
    locale,
    title: text.title,
    summary: text.summary,
    body: text.body,
    images: options.images ?? [],
    version: options.version ?? 1,
    updatedAt: fixtureInstant(options.daysAgo ?? 0),
  };
}

/**
 * Publishes one notice per category, in zh-CN and English, each with a drawn image. Returns the ids.
 * Small on purpose: enough for every screen, quick to sync.
 */
export function publishFixtureContent(server: FakeSignageServer): string[] {
  for (const notice of NOTICES) {
    const image = server.addAsset(drawScene(320, 200, notice.colours[0], notice.colours[1]));
    const images = [{ sha256: image.sha256, alt: notice.zh.title }];
    server.publish(
      fixtureItem(
        notice,
        'zh-CN',
        { ...notice.zh, body: `${notice.zh.body}\n\n![](asset:${image.sha256})` },
        {
          images,
          daysAgo: notice.daysAgo,
        },
      ),
      fixtureItem(notice, 'en', notice.en, {
        images: [{ ...images[0]!, alt: notice.en.title }],
        daysAgo: notice.daysAgo,
      }),
    );
  }
  return NOTICES.map((n) => n.id);
}
