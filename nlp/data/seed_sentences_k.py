# Hand-written seed sentences (part K: the classes of error issue 12 lists, each
# decided by docs/labels.md, "the need, not the words"):
#
# * a wish prefix (心愿：/微心愿：) in front of something that is no material
#   wish for one household — a policy question, a service, a public improvement —
#   goes to the team that meets the need (a public road -> governance, a talk in
#   the village -> culture, the villager's own 低保 -> welfare); a concrete object
#   for one household with the prefix stays ``wish`` (rule 7);
# * disputes and family matters that need mediation -> governance, whatever money,
#   animals or land words surround them (rule 2); unpaid wages from an employer
#   stay industry, a cooperative's dividends stay industry;
# * safety hazards in public and domestic places (walls and roofs, wires and
#   sockets, stoves and chimneys, gas, dogs) -> governance;
# * theft of livestock -> governance; a villager's own small trade (selling
#   yoghurt, a shop, a stall at the horse race) -> industry; wild animals that
#   endanger people -> governance, wolves that killed the herd (losses, insurance,
#   compensation) -> industry, protecting wildlife (injured animals, poaching,
#   fences on migration routes) -> ecology like the other grassland rules;
# * a power cut is governance even when the animals suffer from it (the need is
#   the power), a sick or freezing animal with no power cut in it stays industry;
# * a few more of the rules 3-8 (fraud, policy talks, jobs for disabled people,
#   water, wish vs subsidy, past events).
#
# Names and phone numbers are made up. Own split like parts G-J.

GOVERNANCE = [
    # hard: wish prefix, but a public improvement or a service -> governance
    "心愿：希望村口的路灯能修好",
    "微心愿：进村的路能硬化一下",
    "心愿：希望我们牧业点能通上手机信号",
    "我的心愿是村里的自来水冬天不要再冻了",
    "微心愿：希望学校门口装个减速带",
    "心愿 希望村里的桥能修一修 娃娃们上学安全",
    "微心愿：村里的狗太多了，希望有人管一管",
    "心愿：希望牧业点能通上电",
    "微心愿：希望镇上的路口装个红绿灯",
    "心原：村里的水管能换成新的",
    "我有一个心愿，希望村里装几个监控，晚上老有人偷东西",
    "心愿：把村里那段烂路修好",
    # hard: disputes and family matters that need mediation -> governance (rule 2)
    "我和弟弟分家，阿爸留下的草场怎么分吵了半年了，能不能请村里来调解一下",
    "邻居家的牦牛天天跑到我家的青稞地里吃庄稼，说了好几次不管，赔也不赔",
    "借给同村的人三万块钱买牛，两年了不还，还说没借过",
    "我家的羊跟邻居家的羊混群了，他说有几只是他的，我们吵起来了",
    "嫂子跟阿妈天天吵架，阿妈气得住到亲戚家去了，能不能来劝一劝",
    "离婚以后前夫不给孩子抚养费，牛羊都在他那里",
    "兄弟几个谁都不养老阿妈，推来推去，老人没地方住",
    "卖给别人两头牦牛，钱只给了一半，剩下的一直拖着不给",
    "我家和隔壁的宅基地界线说不清，他家的墙砌到我家地里来了",
    "两家的草场中间的网围栏被人挪了十几米，现在谁也不让谁",
    "我老公喝了酒就打我，我不敢回家",
    "婆婆家不让我带孩子走，牛羊也不分给我",
    "叔叔占着我们家的冬窝子不还，说是爷爷那辈给他的",
    "邻居的狗咬死了我家两只羊，他不认账",
    "合租的草场到期了，对方不搬走，牛羊还在上面放",
    "亲戚借了我的身份证去贷款，现在银行找我还钱",
    "村里两家人为了一头走失的牛打起来了，都说是自己的",
    "阿爸去世了，几个姑姑来要分家里的钱和牛，吵得不可开交",
    "我儿子娶媳妇给了二十万彩礼，结婚半年媳妇走了，彩礼不退",  # hard: 彩礼 words, but a dispute over money -> governance (customs reform is culture)
    "邻居家的水渠改道，把水引到他家地里了，我们家浇不上",
    "村里分集体草场的时候我们家少分了，找组长也说不清",
    "承包我家草场的人一直拖着租金不给，还在上面放羊",
    "那个 嗯 我跟邻居 就是说 为了一块地 吵了好几年了",
    "阿门了，邻居家的马把我家的围栏踢烂了，他还骂人",
    "两兄弟为了分羊打起来了，阿妈哭得不行，快来人劝一下",
    "草场边界吵架",
    "邻居占了我家地",
    "欠钱不还",
    "分家吵起来了",
    "我是日芒村的才让，电话13897086614，我家的冬季草场被邻村的人圈进去了一块，两个村都说是自己的，请乡上来划一下",
    # hard: safety hazards in public and domestic places -> governance
    "村小学的围墙裂了一道大缝，往外歪着，娃娃们天天从下面过",
    "村委会活动室的房顶塌了一角，下雨漏水，还在里面开会",
    "路边的电线杆倒在地上，电线还连着，没人敢过",
    "村里变压器旁边的围栏没了，娃娃们在那玩",
    "家里的插座一插电就冒火花，电线都烧黑了",
    "邻居家私拉电线从我家房顶过，刮风的时候打火",
    "我家的炉子烟筒接口松了，屋里一股煤烟味，晚上不敢烧",
    "学校教室里生的煤炉子没有风斗，老师说头疼",
    "液化气罐的阀门漏气，一股臭味，换气的地方不管",
    "村里的老戏台房梁断了，还有人在上面晒东西",
    "广场上的健身器材底座松了，一晃一晃的，娃娃们还在上面玩",
    "村口的蓄水池没有盖子也没有围栏，太危险了",
    "路边的废弃房子快塌了，旁边就是娃娃们上学的路",
    "藏獒拴不住，把路过的人扑倒了好几次",
    "野狗在村里咬了好几个人，晚上不敢出门",
    "镇上有家饭馆的煤气罐放在门口晒太阳",
    "村里的老水塔裂了，底下还住着人家",
    "河上的木桥板子烂了好几块，骑摩托过去掉下去了一个",
    "冬天烧牛粪的炉子把墙烤黑了，木头房梁都发烫了",
    "我们家电表箱的门掉了，电线露在外面，下雨就漏电",
    "那个 嗯 村里那个 就是说 老房子的墙 歪得很 快倒了",
    "阿门了，电线耷拉到地上了，娃娃们踩着玩",
    "变压器冒火花了",
    "墙快塌了",
    "狗拴不住",
    "电线漏电",
    "烟筒漏烟",
    "书记好，我是恩乃村的拉毛，村里幼儿园的取暖炉就放在教室中间，没有护栏，娃娃们挤在旁边，太危险了，谢谢",
    "扎西德勒，秀脑贡麻村的多杰，路边那排老电线杆一半都是斜的，大风一刮就晃，请供电所来看看",
    # hard: theft of livestock -> governance
    "昨晚我家的羊被偷了十几只，脚印一直到公路边上",
    "夏季草场上放的牦牛少了四头，附近的人说看见有车来拉走了",
    "村里最近老丢牛，晚上有人开着货车来",
    "我家的马被人牵走了，马鞍子也没了",
    "有人偷了羊还在镇上卖，我认出了我家的耳标",
    "牛被偷了报了警，派出所说没线索，就这么算了吗",
    "那个 嗯 我家的羊 就是说 晚上被人偷了好几只",
    "阿门了，冬窝子里的牛丢了三头，肯定是被人偷了",
    "牛被人偷了",
    "丢了好几只羊",
    "我是伊克乌兰乡的旦正，电话18997025536，我家的犏牛昨晚被偷了两头，大家帮忙留意一下",
    # hard: wild animals that endanger people -> governance
    "棕熊晚上进了我家院子，把门都拍烂了，家里就我和孩子",
    "狼到村子边上来了，娃娃们上学路上看见了",
    "这几天有熊在牧业点附近转，我们晚上不敢出帐篷",
    "熊进院子了",
    # hard: power cuts that threaten livestock -> governance (the need is the power)
    "停电两天了，羊圈里的保温灯不亮，小羊羔冻得直哆嗦",
    "又停电了，挤奶机用不了，几十头牛的奶挤不出来",
    "牧业点停电了，抽水的泵抽不上水，牛羊一天没喝水了",
    "一停电孵化机就停了，鸡蛋全废了",
    "冷库停电了，合作社的牛肉要化了",
    "停电好几天了，暖棚里的苗都冻死了，到底啥时候来电",
    "那个 嗯 停电了 就是说 牛棚里的水槽冻上了 牛喝不上水",
    "阿门了，电一停羊圈里的加热器就不转，尕羊羔冻得不行",
    "停电了 牛没水喝",
    "养殖场停电了",
    "我是哈尔盖镇养殖户马福海，电话13709720087，养殖场停电一整天了，供电所电话打不通，几百只鸡要闷死了",
    # hard: water for the herd -> governance (rule 6)
    "牧业点的机井坏了，牛羊饮水要赶到十几里外的河边",
    "牲畜饮水的水管冻裂了，羊都渴得叫",
    # hard: fraud, whatever it is about -> governance (rule 3)
    "有人说能帮忙办残疾证，先交两千块手续费",
    "有人打电话说我家的草原补奖要交钱才能发",
    "一个人说是合作社的，收了我们五户的钱说买种羊，现在人找不到了",
    "有人自称畜牧站的，上门卖假疫苗",
    "网上有人说能办小额贷款，让我先交保证金",
    "有人冒充医保局的，让阿爸把医保卡密码告诉他",
]

GOVERNANCE_DEV = [
    "心愿：希望村里的路灯晚上能亮",
    "微心愿：希望我们村能通上自来水",
    "心愿：村里的网围栏边上那条土路能修一下",
    "我们两家为了一头牛吵了好几天，牛身上没耳标，都说是自己的，请村里来评评理",
    "弟弟把阿爸的养老钱拿去花了，阿爸没钱看病，家里吵翻了",  # hard: money and 看病 words, a family dispute -> governance
    "邻居家的羊天天进我家的打草场，草都被吃了，他还不承认",
    "前妻把家里的牛都卖了，钱一分不给孩子",
    "租我家暖棚的人不交租金也不搬",
    "家里的老人被儿子赶出来了，住在羊圈里",
    "邻居家的狗咬了我家的羊",
    "村文化室的吊顶掉下来了，差点砸到人",
    "邻居家门口的电线老化冒烟，跟他说了不换",
    "家里的烟筒被雪压塌了，烟倒灌进屋里",
    "镇上小区的流浪狗越来越多，咬伤了一个老人",
    "学校旁边的老墙倒了一截，砖头掉在路上",
    "昨晚有人开车来偷羊，被狗叫跑了，偷走了两只",
    "我家的牦牛被人剪了耳标偷走了",
    "停电了，羊羔子保温箱不热了，再不来电要冻死了",
    "停电一天了，奶罐里的牛奶全酸了",
    "有人冒充兽医站的，收了钱说给牛打针，打完人就跑了",
    "狼晚上在村口嚎，娃娃们不敢出门",
    "微心愿：希望有人来调解一下我们家和邻居的草场纠纷",
]

ECOLOGY = [
    # hard: wish prefix, but a public improvement for the village's environment -> ecology
    "心愿：希望村里多放几个垃圾桶",
    "微心愿：希望把湖边的垃圾清一清",
    "心愿：村里的旱厕能改成水冲的",
    "我的心愿是草场上的老鼠能少一点",
    "微心愿：希望垃圾车能每个礼拜来一次",
    "心愿 希望河边能装上护栏 不要再有人往河里倒垃圾",
    "心原：希望给我们牧业点放个垃圾池",
    "微心愿：村里的污水能有个地方排",
    # hard: protecting wildlife -> ecology, like the other grassland rules
    "草场上看见一只受伤的普氏原羚，腿断了，不知道该找谁",
    "有人在湖边下套子抓黄羊，网围栏上挂着铁丝套",
    "网围栏太高了，黄羊跳不过去，挂死在上面好几只",
    "湖边的鸟窝被人掏了，蛋都拿走了",
    "有人在冬天用毒饵毒狐狸，草场上死了好多鸟",
    "看见有人在河里电鱼，湟鱼都死了",
    "湟鱼洄游的时候有人在河里捞鱼卖",
    "捡到一只受伤的秃鹫，飞不起来了",
    "那个 嗯 湖边有人 就是说 下网捞湟鱼",
    "阿门了，有人在山上打旱獭，一挂都拿去卖了",
    "有人电鱼",
    "黄羊挂在围栏上",
    # hard: grassland condition with animal and money words -> ecology
    "鼠兔把草场吃秃了，牛羊没吃的，今年又要亏钱了",  # hard: loss of income, the need is rodent control -> ecology
    "我们家草场超载了，乡上要罚款，能不能来核一下到底载畜量是多少",
    "禁牧区里有人放马，马群把刚补播的草都踩坏了",
    "草原补奖的钱跟着草场面积走，我家草场被划进禁牧区以后面积怎么算",
    "湖边的草场被游客的车压坏了，牛羊都没草吃",
    "牛羊病死了扔在河边，水都臭了",  # hard: dead animals, the need is the polluted river -> ecology
]

ECOLOGY_DEV = [
    "心愿：希望村里的垃圾能及时拉走",
    "微心愿：给村里的河道清一清淤泥",
    "心愿：希望草场上的毒草能除一除",
    "草场上有一只受伤的狐狸，走不动了",
    "有人在湖边捞湟鱼，一桶一桶的",
    "围栏上挂着一只死了的原羚",
    "有人下毒饵毒鼠兔，老鹰吃了也死了",
    "我家旁边的草场鼠兔多得很，牛羊吃不饱，卖的时候都掉膘了",
]

INDUSTRY = [
    # hard: wish prefix, but a job, a loan or training -> industry
    "心愿：想参加挖掘机培训",
    "微心愿：希望能给我找一个公益性岗位",
    "心愿：想贷点款把牛棚扩大一下",
    "我的心愿是合作社的分红能按时发",
    "微心愿：希望有人帮我们把青稞卖出去",
    "心愿：希望畜牧站的技术员能来给牛配种",
    "心原：想学开车，找个跑运输的活",
    "微心愿：我家残疾的儿子想学个修鞋的手艺挣钱",  # hard: disability words, training -> industry (rule 5)
    # hard: villagers' own small trade -> industry
    "我想在路边摆个摊卖酸奶和酥油，要不要办什么证",
    "赛马会的时候想在场子边上摆个摊卖手抓肉，去哪报名",  # hard: 赛马会 words, the need is the villager's own trade -> industry
    "想在家里开个小卖部，营业执照去哪办",
    "我们几个妇女做的牦牛毛编织包想拿到景区去卖，有没有摊位",
    "夏天想在湖边开个帐篷茶园接待游客，需要什么手续",  # hard: lake words, a small business -> industry
    "挖的虫草想卖个好价钱，镇上收的人压价",
    "想在网上开个店卖牦牛肉干，有没有人教",
    "在镇上卖馍馍，想租个便宜点的门面",
    "自己做的曲拉想卖到西宁去，有没有人收",
    "藏历年的时候想卖点自家炸的油饼，有没有集市",  # hard: festival words, trade -> industry
    "那个 嗯 我想 就是说 在镇上开个甜茶馆 要办啥手续",
    "阿门了，我做的酸奶卖不出去，镇上不让摆摊",
    "想卖酸奶",
    "想开个商店",
    "我是恩乃村的卓玛，电话13897073329，我自己绣的唐卡包和藏式香包想找个地方卖，谢谢",
    # hard: wolves killed the herd — losses, insurance, compensation -> industry
    "狼把我家的羊咬死了十一只，野生动物肇事补偿找谁申请",
    "雪豹咬死了两头牛犊，保险能不能赔",
    "狼咬死的羊，乡上说要拍照留证，拍了以后赔偿什么时候下来",
    "那个 嗯 昨晚狼进了羊圈 咬死了好几只 就是说 这个损失咋算",
    "狼咬死羊了",
    # hard: a sick or freezing animal with no power cut in it -> industry (rule 1)
    "下大雪以后羊羔冻死了十几只，还有几只在发抖，怎么救",
    "牛圈太冷了，小牛犊冻得站不起来",
    # hard: jobs and training even for disabled or 低保 people -> industry (rule 5)
    "我是低保户，想去学个厨师，培训费能不能免",
    "我腿有残疾，能不能在合作社找个看门的活",
    "我家是监测户，儿子想去学电焊，有没有名额",
    # hard: a subsidy for a shed, not an object -> industry (rule 7)
    "暖棚补贴想申请一个，去年搭棚子借的钱还没还上",
    "牛棚被雪压塌了，重建的补贴怎么申请",
]

INDUSTRY_DEV = [
    "心愿：想学个挖虫草以外的手艺挣钱",
    "微心愿：希望合作社能收购我家的羊毛",
    "在镇上卖手工酸奶，想办个小作坊",
    "赛马节上想卖自家的奶茶和青稞饼，摊位怎么申请",
    "想把自家的民宿登记一下，接待游客",
    "狼咬死了我家一头牦牛，有没有补偿",
    "低保户能不能申请小额贷款养羊",
    "我是残疾人，想学修电器，哪里有培训",
]

WELFARE = [
    # hard: wish prefix, but the villager's own case under a welfare policy -> welfare (rule 4/7)
    "心愿：希望我阿妈的低保能恢复",
    "微心愿：我阿爸的医保报销能快点下来",
    "心愿：给我家孩子办个残疾证",
    "我的心愿是阿奶的高龄补贴能发下来",
    "微心愿：希望村医能定期来给老人量血压",
    "心愿：希望我们家能评上低保",
    "心原：孩子上大学的助学金能批下来",
    "微心愿：想申请一个残疾人的护理补贴",
    "心愿 希望卫生室能有个人常年在",
    # hard: past events, present needs -> welfare, not the past event's team (rule 8)
    "去年房子着火以后一直住在亲戚家，重建的补助到现在没批",
    "去年冬天雪灾以后家里没了牛羊，现在日子过不下去了，能不能申请临时救助",
    "去年被车撞了腿落下了残疾，现在干不了重活，想办残疾证",
    "家里的顶梁柱去年出车祸没了，孩子上学的钱没着落",
    # hard: a sick person, with herd or money words around -> welfare (rule 1)
    "放牧的时候被牦牛顶伤了肋骨，住院的钱不够",
    "卖了两头牛给阿妈看病，钱还是不够",  # hard: selling cattle, the need is the mother's treatment -> welfare
    "被狼咬伤了胳膊，打狂犬疫苗的钱能不能报",  # hard: a wolf in the story, the patient is a person -> welfare
    "被狗咬了打疫苗，医保报不报",
    "我得了包虫病，是吃了病羊的肉吗，去哪里免费治",
    "阿爸冬天放牧冻伤了脚，走路都成问题",
    # hard: a subsidy for an assistive device -> welfare (rule 7)
    "残疾人的轮椅有没有补贴，买一个太贵了",
    "老人配助听器能不能报销一部分",
]

WELFARE_DEV = [
    "心愿：希望阿爸的养老金能按时到",
    "微心愿：我家娃娃上学的困难补助能批下来",
    "去年发洪水冲了家，现在还住在板房里，说好的补助一直没到",
    "骑马摔断了腿，医保报销只报了一半",
    "被牛踢伤了腰，在县医院住了半个月，钱都是借的",
    "残疾人买假肢有没有补助",
]

CULTURE = [
    # hard: wish prefix, but a talk for the village or a cultural activity -> culture
    "心愿：希望有人来村里讲讲新的医保政策",
    "微心愿：希望村里办一场锅庄比赛",
    "心愿：想请老师来给村里的娃娃教藏文书法",
    "我的心愿是村里的农家书屋多进点新书",
    "微心愿：希望过年的时候村里能放一场电影",
    "心愿：请人来讲讲怎么防诈骗",
    "心原：村里的赛马会能恢复起来",
    "微心愿：想请人给我们讲讲草原补奖的政策",
    "心愿 希望村里能组织一次藏戏演出",
    "微心愿：希望能在村里办个彩礼不超过多少的村规",
    # hard: a policy talk for the group, whatever the policy -> culture (rule 4)
    "村里好多人不懂低保是怎么评的，能不能开个会讲一讲",
    "新的禁牧政策大家都有意见，能不能来个人解释解释",
    "能不能来村里讲讲兽药怎么用，好多人乱用",  # hard: herd words, a talk for the village -> culture
    "想请派出所的人来学校给娃娃们讲讲交通安全",
    "能不能来牧业点讲讲冬天烧炉子怎么防煤气中毒",  # hard: a stove-safety talk, no hazard reported -> culture
    "防火的知识能不能来村里宣传一下，老人都不懂",
    "来讲讲电信诈骗吧，村里上当的人太多了",  # hard: fraud words, a prevention talk with no case -> culture (rule 3)
    "野生动物保护的法律能不能来讲讲，有人打旱獭还不知道违法",
    # hard: the horse race, dances, books, customs — with trade or money words -> culture
    "赛马会的奖金太少了，骑手们都不愿意来，能不能多凑点",
    "村里的锅庄队想去县上比赛，路费没着落",
    "办丧事请喇嘛、摆酒席，一家要花好几万，能不能倡导一下简办",
]

CULTURE_DEV = [
    "心愿：希望村里能办一场迎新春的晚会",
    "微心愿：希望有人来村里讲讲养老保险",
    "能不能来给我们讲讲草畜平衡到底是怎么算的",
    "想请人来村里讲讲怎么防治包虫病",
    "赛马会想增加一个牦牛选美比赛，热闹一点",
]

WISH = [
    # contrast: with the prefix, a concrete object for one household stays wish (rule 7)
    "心愿：给阿奶一副护膝",
    "微心愿：想要一台电暖器",
    "心愿：孩子想要一个新书包和文具盒",
    "我的心愿是阿爸能有一个新轮椅",
    "微心愿：家里想要一个电饭锅",
    "心愿：想要一个充电台灯，停电的时候娃娃能写作业",  # hard: power cuts, but an object for the household -> wish (rule 7)
    "微心愿：给阿妈一个血压计",
    "心愿 想要一双厚棉鞋",
    "我有一个心愿，想给孩子要一套藏文的课外书",
    "微心愿：希望有人送我家一件羽绒服",
    # hard: welfare or culture words, a concrete object -> wish (rule 7)
    "阿妈是残疾人，想要一个洗澡用的座椅",
    "孩子参加学校的锅庄表演，想要一套藏装",
    "我家低保户，孩子没有冬天的棉衣",
    "阿爸高血压，想要一个电子血压计",
    "冬天老停电，想要一个充电的手电筒",
    "被狗咬过以后孩子晚上害怕，想要个小夜灯",
]

WISH_DEV = [
    "心愿：想要一个热水袋",
    "微心愿：给孩子一双运动鞋",
    "孩子参加赛马会的小骑手比赛，想要一顶头盔",
    "阿奶行动不便，想要一个助行器",
]
