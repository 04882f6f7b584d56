#!/usr/bin/env python3
"""Golden values for every distillation loss term of distill4j, from PyTorch re-implementations of the references.

For each term kind of distill4j's registry (org.distill4j.distill.Methods) this builds one or more cases of small
fixed random inputs (seeded; batches of 4-6, a few channels, maps of at most 8x8), computes the reference formula in
float64 and writes, per case, the inputs, the weights of any trainable module the term owns, the values the Java
term returns (by its value names) and the gradients of their sum with respect to every student input that gets one.
ReferenceTermsTest (distill4j-core/src/test/java/org/distill4j/distill/terms) builds each term as training does,
loads the weights into its parts, feeds it the inputs and compares.

Every input and weight is rounded to float32 before the float64 computation, so that both sides see the same
numbers; the Java side computes in float32, so the test's tolerance is relative (1e-5).

The reference code is re-implemented here, close to its text (its own files cannot be imported: several call
.cuda(), and AliasMethod draws its own negatives). Which file each function follows:

    distill_kl          RepDistiller distiller_zoo/KD.py DistillKL
    at, at_loss         RepDistiller distiller_zoo/AT.py Attention (the larger feature map adaptive-avg-pooled)
    causal_at_loss      at_loss weighted position-wise by the seed's causal mask: distill4j's own definition
                        (no reference code; the mask is resized as org.distill4j.loss.AttentionMaps.resize)
    align_loss          the seed's InfoNCE in attention space, distill4j's own definition (AlignTerm, InfoNce)
    ConvReg, hint_loss  RepDistiller models/util.py ConvReg, distiller_zoo/FitNet.py HintLoss
    similarity_loss     RepDistiller distiller_zoo/SP.py Similarity
    LinearEmbed, correlation
                        RepDistiller models/util.py LinearEmbed, distiller_zoo/CC.py Correlation
    VIDLoss             RepDistiller distiller_zoo/VID.py VIDLoss (one per stage, as train_student.py builds them)
    rkd_loss            RepDistiller distiller_zoo/RKD.py RKDLoss
    pkt_loss            RepDistiller distiller_zoo/PKT.py PKT.cosine_similarity_loss
    Embed, ContrastMemory, contrast_loss
                        RepDistiller crd/criterion.py CRDLoss, Embed, ContrastLoss; crd/memory.py ContrastMemory
                        (the contrast indices are given, as RepDistiller's CIFAR-100 sampler hands them over)
    nst_loss            RepDistiller distiller_zoo/NST.py NSTLoss (full_loss=True)
    dkd_loss            mdistiller mdistiller/distillers/DKD.py dkd_loss, times DKD.forward_train's warm-up
                        min(epoch / warmup, 1)
    hybrid_loss         somone23412/H-AT cifar_train.py hybrid_loss (sim_loss, n_std, top_n_index); its
                        batch_norm(g) of the next block is given as the preact input
    AFD                 clovaai/attention-feature-distillation distill/AFD.py (Attention, LinearTransformTeacher,
                        LinearTransformStudent, Sample) and utils.py unique_shape
    hmat_terms          NOT a reference: HMAT has no published code, so this case pins distill4j's own
                        reconstruction (org.distill4j.loss.MultiAttention and HmatTerm), formula by formula
    cross_entropy       F.cross_entropy, the hard-label term

Reference commits the re-implementations were read from: RepDistiller b84f547c5db6a35318d4671d7d5c4de74c822403,
mdistiller a08d46f10d6102bd6e3f258ca5ac880b020ea259, attention-feature-distillation
dd990d0bb3788b60a0b0f5d44956f54e06e314ac, H-AT ef46cb48e0f865f03fae46b3d5958dac5fd6532b.

Run with Debian's python3-torch (generated with 1.13, CPU; the python3 first on PATH may lack torch):

    /usr/bin/python3 scripts/reference_terms.py \\
        --out distill4j-core/src/test/resources/reference-terms.json

JSON layout: {"generator", "torch", "references", "cases": [case, ...]}; a case has
    name, term (the registry kind), options (the term's options as a study file gives them), reference,
    student/teacher: {logits, pooled, stages, preacts (absent: the stages), blocks} of the fake Features,
    labels, indices, epoch, trainLabels/numClasses (CRD), mask (causal AT), idx (CRD's contrast indices),
    parameters: {PyTorch state_dict name: array} of the term's modules, parameterGradients: {name: array} of
    their trainable ones, state (CRD memories before the step),
    expected: {value name: float}, gradients: {"student.stages.0": array, "student.logits": array, ...},
    after: {state name: array or list} (CRD's memories and normalisers, H-AT's chosen channels).
Float arrays are {"shape": [...], "data": [flat, row-major]}.
"""
import argparse, json, math, re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

COMMITS = {
    "repdistiller": ("HobbitLong/RepDistiller", "b84f547c5db6a35318d4671d7d5c4de74c822403"),
    "mdistiller": ("megvii-research/mdistiller", "a08d46f10d6102bd6e3f258ca5ac880b020ea259"),
    "afd": ("clovaai/attention-feature-distillation", "dd990d0bb3788b60a0b0f5d44956f54e06e314ac"),
    "hat": ("somone23412/H-AT", "ef46cb48e0f865f03fae46b3d5958dac5fd6532b"),
}


# ---------------------------------------------------------------------------------------------------------------
# Inputs and JSON helpers

def f32(t):
    """Rounds to float32 and back: the Java side reads exactly these numbers."""
    return t.float().double()


def randn(g, *shape, scale=1.0):
    return f32(torch.randn(*shape, generator=g) * scale)


def rand(g, *shape):
    return f32(torch.rand(*shape, generator=g))


def round_module(module):
    """Rounds a module's parameters and buffers to float32 values (kept in float64)."""
    with torch.no_grad():
        for t in list(module.parameters()) + list(module.buffers()):
            if t.is_floating_point():
                t.copy_(f32(t))
    return module


def randomise_bn(module, g):
    """Non-trivial BatchNorm affine parameters (the default 1 and 0 would not test their loading)."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.copy_(f32(1 + 0.3 * torch.randn(m.weight.shape, generator=g)))
                m.bias.copy_(f32(0.2 * torch.randn(m.bias.shape, generator=g)))
    return module


def arr(t, digits=None):
    """{"shape", "data"}: float32 inputs as their shortest float32 repr; computed values to `digits` digits."""
    t = t.detach()
    if digits is None:
        data = [float(repr(np.float32(v))) for v in t.reshape(-1).tolist()]
    else:
        data = [float(f"{v:.{digits}g}") for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "data": data}


def value(v):
    return float(f"{float(v):.15g}")


def net(g, classes, pooled, stages, preacts=False, blocks=(), block_relu=True, stage_relu=False):
    """Fake features of one network: logits (B, K), pooled (B, d), stages [(B, C, H, W)], optional preacts and
    blocks. `stages` is a list of (C, H) (square maps); B comes from the caller through `classes` = (B, K)."""
    b, k = classes
    out = {"logits": randn(g, b, k, scale=3.0), "pooled": randn(g, b, pooled),
           "stages": [randn(g, b, c, h, h) for c, h in stages], "blocks": []}
    if stage_relu:
        out["stages"] = [F.relu(s) for s in out["stages"]]
    if preacts:
        # per-(sample, channel) offsets, so that the channel means (H-AT's embeddings) differ between samples
        out["preacts"] = [f32(randn(g, b, c, h, h) + randn(g, b, c, 1, 1)) for c, h in stages]
    for c, h in blocks:
        # per-(sample, channel) offsets as for preacts: with channel means that barely differ between samples, the
        # BatchNorm1d layers of AFD would normalise differences at float32's rounding level
        x = f32(randn(g, b, c, h, h) + randn(g, b, c, 1, 1))
        out["blocks"].append(F.relu(x) if block_relu else x)
    return out


def grad_inputs(student):
    """Marks every student tensor as requiring a gradient (the Java test does the same)."""
    for key in ("logits", "pooled"):
        student[key].requires_grad_(True)
    for key in ("stages", "preacts", "blocks"):
        for t in student.get(key, []):
            t.requires_grad_(True)


def gradients(student):
    out = {}
    for key in ("logits", "pooled"):
        if student[key].grad is not None:
            out[f"student.{key}"] = arr(student[key].grad, 8)
    for key in ("stages", "preacts", "blocks"):
        for i, t in enumerate(student.get(key, [])):
            if t.grad is not None:
                out[f"student.{key}.{i}"] = arr(t.grad, 8)
    return out


def features_json(f):
    out = {"logits": arr(f["logits"]), "pooled": arr(f["pooled"]), "stages": [arr(s) for s in f["stages"]]}
    if "preacts" in f:
        out["preacts"] = [arr(s) for s in f["preacts"]]
    if f["blocks"]:
        out["blocks"] = [arr(s) for s in f["blocks"]]
    return out


def state_dict(module, prefix=""):
    return {prefix + k: arr(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}


# ---------------------------------------------------------------------------------------------------------------
# Reference formulas

def cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels)


def distill_kl(y_s, y_t, T):
    """RepDistiller distiller_zoo/KD.py DistillKL.forward (size_average=False is reduction='sum')."""
    p_s = F.log_softmax(y_s / T, dim=1)
    p_t = F.softmax(y_t / T, dim=1)
    return F.kl_div(p_s, p_t, reduction="sum") * (T ** 2) / y_s.shape[0]


def at(f, p=2):
    """RepDistiller distiller_zoo/AT.py Attention.at."""
    return F.normalize(f.pow(p).mean(1).view(f.size(0), -1))


def pool_larger(f_s, f_t):
    """The pooling of AT.py, VID.py and NST.py: the larger feature map pooled to the smaller's (square) size."""
    s_H, t_H = f_s.shape[2], f_t.shape[2]
    if s_H > t_H:
        f_s = F.adaptive_avg_pool2d(f_s, (t_H, t_H))
    elif s_H < t_H:
        f_t = F.adaptive_avg_pool2d(f_t, (s_H, s_H))
    return f_s, f_t


def at_loss(f_s, f_t):
    """RepDistiller distiller_zoo/AT.py Attention.at_loss."""
    f_s, f_t = pool_larger(f_s, f_t)
    return (at(f_s) - at(f_t)).pow(2).mean()


def resize_maps(m, h, w):
    """org.distill4j.loss.AttentionMaps.resize: adaptive average pooling for integer ratios, else bilinear with
    half-pixel centres and no antialias."""
    H, W = m.shape[1], m.shape[2]
    if (H, W) == (h, w):
        return m
    if H % h == 0 and W % w == 0:
        return F.adaptive_avg_pool2d(m.unsqueeze(1), (h, w)).squeeze(1)
    return F.interpolate(m.unsqueeze(1), size=(h, w), mode="bilinear", align_corners=False,
                         antialias=False).squeeze(1)


def causal_at_loss(f_s, f_t, mask):
    """distill4j's causal AT (the seed's): at_loss with the squared difference weighted by the mask resized to the
    stage, mean over (B, h*w)."""
    f_s, f_t = pool_larger(f_s, f_t)
    b, _, h, w = f_s.shape
    m = resize_maps(mask, h, w).reshape(b, -1)
    return ((at(f_s) - at(f_t)).pow(2) * m).mean()


def align_loss(f_s, f_t, tau):
    """The seed's L_Align (AlignTerm): maps sum_c A^2, the larger map resized to the smaller's size, flattened,
    L2-normalised; InfoNCE over the batch with the same image as the positive."""
    ms, mt = f_s.pow(2).sum(1), f_t.pow(2).sum(1)
    h, w = min(ms.shape[1], mt.shape[1]), min(ms.shape[2], mt.shape[2])
    u = F.normalize(resize_maps(ms, h, w).reshape(ms.shape[0], -1))
    v = F.normalize(resize_maps(mt, h, w).reshape(mt.shape[0], -1))
    logits = u @ v.t() / tau
    return F.cross_entropy(logits, torch.arange(logits.shape[0]))


class ConvReg(nn.Module):
    """RepDistiller models/util.py ConvReg (use_relu=True)."""
    def __init__(self, s_shape, t_shape):
        super().__init__()
        s_N, s_C, s_H, s_W = s_shape
        t_N, t_C, t_H, t_W = t_shape
        if s_H == 2 * t_H:
            self.conv = nn.Conv2d(s_C, t_C, kernel_size=3, stride=2, padding=1)
        elif s_H * 2 == t_H:
            self.conv = nn.ConvTranspose2d(s_C, t_C, kernel_size=4, stride=2, padding=1)
        elif s_H >= t_H:
            self.conv = nn.Conv2d(s_C, t_C, kernel_size=(1 + s_H - t_H, 1 + s_W - t_W))
        else:
            raise NotImplementedError(f"student size {s_H}, teacher size {t_H}")
        self.bn = nn.BatchNorm2d(t_C)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))


def hint_loss(f_s, f_t):
    """RepDistiller distiller_zoo/FitNet.py HintLoss: nn.MSELoss."""
    return F.mse_loss(f_s, f_t)


def similarity_loss(f_s, f_t):
    """RepDistiller distiller_zoo/SP.py Similarity.similarity_loss."""
    bsz = f_s.shape[0]
    f_s = f_s.view(bsz, -1)
    f_t = f_t.view(bsz, -1)
    G_s = F.normalize(torch.mm(f_s, torch.t(f_s)))
    G_t = F.normalize(torch.mm(f_t, torch.t(f_t)))
    G_diff = G_t - G_s
    return (G_diff * G_diff).view(-1, 1).sum(0) / (bsz * bsz)


class LinearEmbed(nn.Module):
    """RepDistiller models/util.py LinearEmbed."""
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)

    def forward(self, x):
        return self.linear(x.view(x.shape[0], -1))


def correlation(f_s, f_t):
    """RepDistiller distiller_zoo/CC.py Correlation.forward."""
    delta = torch.abs(f_s - f_t)
    return torch.mean((delta[:-1] * delta[1:]).sum(1))


class VIDLoss(nn.Module):
    """RepDistiller distiller_zoo/VID.py VIDLoss."""
    def __init__(self, num_input_channels, num_mid_channel, num_target_channels, init_pred_var=5.0, eps=1e-5):
        super().__init__()

        def conv1x1(in_channels, out_channels, stride=1):
            return nn.Conv2d(in_channels, out_channels, kernel_size=1, padding=0, bias=False, stride=stride)

        self.regressor = nn.Sequential(
            conv1x1(num_input_channels, num_mid_channel), nn.ReLU(),
            conv1x1(num_mid_channel, num_mid_channel), nn.ReLU(),
            conv1x1(num_mid_channel, num_target_channels),
        )
        self.log_scale = nn.Parameter(np.log(np.exp(init_pred_var - eps) - 1.0) * torch.ones(num_target_channels))
        self.eps = eps

    def forward(self, input, target):
        input, target = pool_larger(input, target)
        pred_mean = self.regressor(input)
        pred_var = torch.log(1.0 + torch.exp(self.log_scale)) + self.eps
        pred_var = pred_var.view(1, -1, 1, 1)
        neg_log_prob = 0.5 * ((pred_mean - target) ** 2 / pred_var + torch.log(pred_var))
        return torch.mean(neg_log_prob)


def pdist(e, squared=False, eps=1e-12):
    """RepDistiller distiller_zoo/RKD.py RKDLoss.pdist."""
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)
    if not squared:
        res = res.sqrt()
    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


def rkd_loss(f_s, f_t, w_d=25, w_a=50):
    """RepDistiller distiller_zoo/RKD.py RKDLoss.forward."""
    student = f_s.view(f_s.shape[0], -1)
    teacher = f_t.view(f_t.shape[0], -1)
    with torch.no_grad():
        t_d = pdist(teacher, squared=False)
        mean_td = t_d[t_d > 0].mean()
        t_d = t_d / mean_td
    d = pdist(student, squared=False)
    mean_d = d[d > 0].mean()
    d = d / mean_d
    loss_d = F.smooth_l1_loss(d, t_d)
    with torch.no_grad():
        td = (teacher.unsqueeze(0) - teacher.unsqueeze(1))
        norm_td = F.normalize(td, p=2, dim=2)
        t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)
    sd = (student.unsqueeze(0) - student.unsqueeze(1))
    norm_sd = F.normalize(sd, p=2, dim=2)
    s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)
    loss_a = F.smooth_l1_loss(s_angle, t_angle)
    return w_d * loss_d + w_a * loss_a


def pkt_loss(output_net, target_net, eps=0.0000001):
    """RepDistiller distiller_zoo/PKT.py PKT.cosine_similarity_loss (its in-place NaN guards left out: no NaN
    arises from non-zero rows, and in-place writes would break the gradient of a leaf)."""
    output_net_norm = torch.sqrt(torch.sum(output_net ** 2, dim=1, keepdim=True))
    output_net = output_net / (output_net_norm + eps)
    target_net_norm = torch.sqrt(torch.sum(target_net ** 2, dim=1, keepdim=True))
    target_net = target_net / (target_net_norm + eps)
    model_similarity = torch.mm(output_net, output_net.transpose(0, 1))
    target_similarity = torch.mm(target_net, target_net.transpose(0, 1))
    model_similarity = (model_similarity + 1.0) / 2.0
    target_similarity = (target_similarity + 1.0) / 2.0
    model_similarity = model_similarity / torch.sum(model_similarity, dim=1, keepdim=True)
    target_similarity = target_similarity / torch.sum(target_similarity, dim=1, keepdim=True)
    return torch.mean(target_similarity * torch.log((target_similarity + eps) / (model_similarity + eps)))


class Normalize(nn.Module):
    """RepDistiller crd/criterion.py Normalize."""
    def __init__(self, power=2):
        super().__init__()
        self.power = power

    def forward(self, x):
        norm = x.pow(self.power).sum(1, keepdim=True).pow(1. / self.power)
        return x.div(norm)


class Embed(nn.Module):
    """RepDistiller crd/criterion.py Embed."""
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)
        self.l2norm = Normalize(2)

    def forward(self, x):
        x = x.view(x.shape[0], -1)
        return self.l2norm(self.linear(x))


class ContrastMemory(nn.Module):
    """RepDistiller crd/memory.py ContrastMemory, with the contrast indices always given (no AliasMethod)."""
    def __init__(self, memory_v1, memory_v2, K, T=0.07, momentum=0.5):
        super().__init__()
        self.K = K
        self.register_buffer("params", torch.tensor([K, T, -1, -1, momentum]))
        self.register_buffer("memory_v1", memory_v1.clone())
        self.register_buffer("memory_v2", memory_v2.clone())

    def forward(self, v1, v2, y, idx):
        K = int(self.params[0].item())
        T = self.params[1].item()
        Z_v1 = self.params[2].item()
        Z_v2 = self.params[3].item()
        momentum = self.params[4].item()
        batchSize = v1.size(0)
        outputSize = self.memory_v1.size(0)
        inputSize = self.memory_v1.size(1)
        weight_v1 = torch.index_select(self.memory_v1, 0, idx.view(-1)).detach()
        weight_v1 = weight_v1.view(batchSize, K + 1, inputSize)
        out_v2 = torch.bmm(weight_v1, v2.view(batchSize, inputSize, 1))
        out_v2 = torch.exp(torch.div(out_v2, T))
        weight_v2 = torch.index_select(self.memory_v2, 0, idx.view(-1)).detach()
        weight_v2 = weight_v2.view(batchSize, K + 1, inputSize)
        out_v1 = torch.bmm(weight_v2, v1.view(batchSize, inputSize, 1))
        out_v1 = torch.exp(torch.div(out_v1, T))
        if Z_v1 < 0:
            self.params[2] = out_v1.mean() * outputSize
            Z_v1 = self.params[2].clone().detach().item()
        if Z_v2 < 0:
            self.params[3] = out_v2.mean() * outputSize
            Z_v2 = self.params[3].clone().detach().item()
        out_v1 = torch.div(out_v1, Z_v1).contiguous()
        out_v2 = torch.div(out_v2, Z_v2).contiguous()
        with torch.no_grad():
            l_pos = torch.index_select(self.memory_v1, 0, y.view(-1))
            l_pos.mul_(momentum)
            l_pos.add_(torch.mul(v1, 1 - momentum))
            l_norm = l_pos.pow(2).sum(1, keepdim=True).pow(0.5)
            updated_v1 = l_pos.div(l_norm)
            self.memory_v1.index_copy_(0, y, updated_v1)
            ab_pos = torch.index_select(self.memory_v2, 0, y.view(-1))
            ab_pos.mul_(momentum)
            ab_pos.add_(torch.mul(v2, 1 - momentum))
            ab_norm = ab_pos.pow(2).sum(1, keepdim=True).pow(0.5)
            updated_v2 = ab_pos.div(ab_norm)
            self.memory_v2.index_copy_(0, y, updated_v2)
        return out_v1, out_v2


def contrast_loss(x, n_data, eps=1e-7):
    """RepDistiller crd/criterion.py ContrastLoss.forward."""
    bsz = x.shape[0]
    m = x.size(1) - 1
    Pn = 1 / float(n_data)
    P_pos = x.select(1, 0)
    log_D1 = torch.div(P_pos, P_pos.add(m * Pn + eps)).log()
    P_neg = x.narrow(1, 1, m)
    log_D0 = torch.div(P_neg.clone().fill_(m * Pn), P_neg.add(m * Pn + eps)).log()
    return - (log_D1.sum(0) + log_D0.view(-1, 1).sum(0)) / bsz


def poly_kernel(a, b):
    """RepDistiller distiller_zoo/NST.py NSTLoss.poly_kernel."""
    a = a.unsqueeze(1)
    b = b.unsqueeze(2)
    return (a * b).sum(-1).pow(2)


def nst_loss(f_s, f_t):
    """RepDistiller distiller_zoo/NST.py NSTLoss.nst_loss with full_loss = True."""
    f_s, f_t = pool_larger(f_s, f_t)
    f_s = F.normalize(f_s.view(f_s.shape[0], f_s.shape[1], -1), dim=2)
    f_t = F.normalize(f_t.view(f_t.shape[0], f_t.shape[1], -1), dim=2)
    return (poly_kernel(f_t, f_t).mean().detach() + poly_kernel(f_s, f_s).mean()
            - 2 * poly_kernel(f_s, f_t).mean())


def dkd_loss(logits_student, logits_teacher, target, alpha, beta, temperature):
    """mdistiller mdistiller/distillers/DKD.py dkd_loss (with _get_gt_mask, _get_other_mask, cat_mask)."""
    def gt_mask_of(logits, target):
        return torch.zeros_like(logits).scatter_(1, target.reshape(-1).unsqueeze(1), 1).bool()

    def other_mask_of(logits, target):
        return torch.ones_like(logits).scatter_(1, target.reshape(-1).unsqueeze(1), 0).bool()

    def cat_mask(t, mask1, mask2):
        t1 = (t * mask1).sum(dim=1, keepdims=True)
        t2 = (t * mask2).sum(1, keepdims=True)
        return torch.cat([t1, t2], dim=1)

    gt_mask = gt_mask_of(logits_student, target)
    other_mask = other_mask_of(logits_student, target)
    pred_student = F.softmax(logits_student / temperature, dim=1)
    pred_teacher = F.softmax(logits_teacher / temperature, dim=1)
    pred_student = cat_mask(pred_student, gt_mask, other_mask)
    pred_teacher = cat_mask(pred_teacher, gt_mask, other_mask)
    log_pred_student = torch.log(pred_student)
    tckd_loss = F.kl_div(log_pred_student, pred_teacher, reduction="sum") * (temperature ** 2) / target.shape[0]
    pred_teacher_part2 = F.softmax(logits_teacher / temperature - 1000.0 * gt_mask, dim=1)
    log_pred_student_part2 = F.log_softmax(logits_student / temperature - 1000.0 * gt_mask, dim=1)
    nckd_loss = (F.kl_div(log_pred_student_part2, pred_teacher_part2, reduction="sum") * (temperature ** 2)
                 / target.shape[0])
    return alpha * tckd_loss + beta * nckd_loss


def hat_at(x):
    """somone23412/H-AT cifar_train.py at."""
    return F.normalize(x.pow(2).mean(1).view(x.size(0), -1))


def hat_at_loss(x, y):
    """somone23412/H-AT cifar_train.py at_loss (no pooling: its WRN pairs have equal sizes)."""
    return (hat_at(x) - hat_at(y)).pow(2).mean()


def to_embedding(x):
    """somone23412/H-AT cifar_train.py to_embedding."""
    return F.normalize(x.view(x.size(1), -1).view(x.size(0), -1))


def sim_loss(x, y):
    """somone23412/H-AT cifar_train.py sim_loss."""
    return (1 - (x * y).sum(1) / (x.pow(2).sum(1) * y.pow(2).sum(1)) ** 0.5).pow(2).mean()


def n_std(x):
    """somone23412/H-AT cifar_train.py n_std."""
    std = torch.std(x, dim=0)
    return std / (((std * std).sum()) ** 0.5)


def top_n_index(x, n):
    """somone23412/H-AT cifar_train.py top_n_index."""
    import heapq
    a = x.detach().cpu().numpy()
    top = heapq.nlargest(n, range(len(a)), a.take)
    top.sort()
    return top


def hybrid_loss(g_s, g_t, bn_s, bn_t, selected, group_nums):
    """somone23412/H-AT cifar_train.py hybrid_loss; bn_s[i], bn_t[i] are its batch_norm(g[i], ..., bns[i]) (the
    next block's bn0 applied to the group output), given as inputs. Returns [(kind, stage index, value)]."""
    loss_group = []
    delta_muls = []
    beta_muls = []
    k = 10 ** -group_nums
    for i in range(group_nums):
        k = k * 10
        delta_muls.append(k)
        beta_muls.append(100 * k)
    for i in range(group_nums):
        e = to_embedding(F.avg_pool2d(F.relu(bn_t[i]), g_t[i].size()[2], 1, 0))
        select = range(g_s[i].size()[1])
        if g_s[i].size()[1] != g_t[i].size()[1]:
            if i > len(selected) - 1:
                std = n_std(e)
                selected.append(top_n_index(std, g_s[i].size()[1]))
            if i == len(beta_muls) - 1:
                select = selected[i]
            else:
                delta_muls[i] = 0
        m_t = torch.index_select(g_t[i], 1, torch.LongTensor(list(select)))
        e_t = torch.index_select(e, 1, torch.LongTensor(list(select)))
        e_s = to_embedding(F.avg_pool2d(F.relu(bn_s[i]), g_s[i].size()[2], 1, 0))
        if beta_muls[i] > 0:
            loss_group.append(("at", i, beta_muls[i] * hat_at_loss(g_s[i], m_t)))
        if delta_muls[i] > 0:
            loss_group.append(("ch", i, delta_muls[i] * sim_loss(e_s, e_t)))
    return loss_group


class NnBnRelu(nn.Module):
    """clovaai/attention-feature-distillation distill/AFD.py nn_bn_relu."""
    def __init__(self, nin, nout):
        super().__init__()
        self.linear = nn.Linear(nin, nout)
        self.bn = nn.BatchNorm1d(nout)
        self.relu = nn.ReLU(False)

    def forward(self, x, relu=True):
        if relu:
            return self.relu(self.bn(self.linear(x)))
        return self.bn(self.linear(x))


def unique_shape(s_shapes):
    """clovaai/attention-feature-distillation utils.py unique_shape."""
    n_s, unique_shapes, n = [], [], -1
    for s_shape in s_shapes:
        if s_shape not in unique_shapes:
            unique_shapes.append(s_shape)
            n += 1
        n_s.append(n)
    return n_s, unique_shapes


class AFD(nn.Module):
    """clovaai/attention-feature-distillation distill/AFD.py: AFD with Attention, LinearTransformTeacher,
    LinearTransformStudent and Sample folded into one module (the same parameters and arithmetic); every block
    of both networks is a guide/hint layer."""
    def __init__(self, s_shapes, t_shapes, qk_dim):
        super().__init__()
        self.qk_dim = qk_dim
        self.n_t, self.unique_t_shapes = unique_shape(t_shapes)
        self.s, self.t = len(s_shapes), len(t_shapes)
        self.query_layer = nn.ModuleList([NnBnRelu(t_shape[1], qk_dim) for t_shape in t_shapes])
        self.key_layer = nn.ModuleList([NnBnRelu(s_shape[1], qk_dim) for s_shape in s_shapes])
        self.bilinear = NnBnRelu(qk_dim, qk_dim * len(t_shapes))
        self.p_t = nn.Parameter(torch.Tensor(len(t_shapes), qk_dim))
        self.p_s = nn.Parameter(torch.Tensor(len(s_shapes), qk_dim))
        torch.nn.init.xavier_normal_(self.p_t)
        torch.nn.init.xavier_normal_(self.p_s)

    def forward(self, g_s, g_t):
        bs = g_s[0].size(0)
        # LinearTransformStudent.forward (Sample: the student's map mean_c f^2 pooled to each teacher size)
        channel_mean = [f_s.mean(3).mean(2) for f_s in g_s]
        spatial_mean = [torch.stack([F.adaptive_avg_pool2d(f_s.pow(2).mean(1, keepdim=True), (t[2], t[3]))
                                     .view(bs, -1) for f_s in g_s], dim=1) for t in self.unique_t_shapes]
        key = torch.stack([key_layer(f_s) for key_layer, f_s in zip(self.key_layer, channel_mean)],
                          dim=1).view(bs * self.s, -1)
        bilinear_key = self.bilinear(key, relu=False).view(bs, self.s, self.t, -1)
        h_hat_s_all = [F.normalize(s_m, dim=2) for s_m in spatial_mean]
        # LinearTransformTeacher.forward
        channel_mean = [f_t.mean(3).mean(2) for f_t in g_t]
        spatial_mean = [f_t.pow(2).mean(1).view(bs, -1) for f_t in g_t]
        query = torch.stack([q(f_t, relu=False) for f_t, q in zip(channel_mean, self.query_layer)], dim=1)
        h_t_all = [F.normalize(f_s, dim=1) for f_s in spatial_mean]
        # Attention.forward
        p_logit = torch.matmul(self.p_t, self.p_s.t())
        logit = torch.add(torch.einsum("bstq,btq->bts", bilinear_key, query), p_logit) / np.sqrt(self.qk_dim)
        atts = F.softmax(logit, dim=2)
        loss = []
        for i, (n, h_t) in enumerate(zip(self.n_t, h_t_all)):
            diff = (h_hat_s_all[n] - h_t.unsqueeze(1)).pow(2).mean(2)
            loss.append(torch.mul(diff, atts[:, i]).sum(1).mean())
        return sum(loss)  # AFD.forward


def log_position(f, tau):
    """distill4j MultiAttention.logPosition: unit channel vector per position, log softmax_j(f_i . f_j / tau)."""
    b, c = f.shape[:2]
    f = F.normalize(f.reshape(b, c, -1), dim=1)
    return F.log_softmax(f.transpose(1, 2) @ f / tau, dim=2)


def log_channel(f, tau):
    """distill4j MultiAttention.logChannel: unit map per channel, log softmax_j(f_i . f_j / tau)."""
    b, c = f.shape[:2]
    f = F.normalize(f.reshape(b, c, -1), dim=2)
    return F.log_softmax(f @ f.transpose(1, 2) / tau, dim=2)


def divergence(log_s, log_t):
    """distill4j MultiAttention.divergence: mean over batch and rows of KL(A_t || A_s)."""
    return (log_t.exp() * (log_t - log_s)).sum(2).mean()


# ---------------------------------------------------------------------------------------------------------------
# Cases

def case(name, term, reference, student, teacher, expected, options=None, modules=None, **extra):
    """One case, after the backward pass of its values' sum. modules: {state_dict prefix: module} of the
    reference modules whose weights the term's parts get; their weights go to "parameters" and the gradients of
    their trainable ones to "parameterGradients"."""
    out = {"name": name, "term": term, "options": options or {}, "reference": reference,
           "student": features_json(student), "teacher": features_json(teacher)}
    out.update(extra)
    if modules:
        out["parameters"], out["parameterGradients"] = {}, {}
        for prefix, m in modules.items():
            out["parameters"].update(state_dict(m, prefix))
            out["parameterGradients"].update({prefix + k: arr(p.grad, 8) for k, p in m.named_parameters()})
    out["expected"] = {k: value(v) for k, v in expected.items()}
    out["gradients"] = gradients(student)
    return out


def backward(values):
    sum(values.values()).backward()


def logits_cases(g):
    out = []
    b, k = 6, 10
    labels = torch.tensor([3, 0, 9, 5, 5, 1])
    s, t = net(g, (b, k), 4, []), net(g, (b, k), 4, [])
    grad_inputs(s)
    v = {"ce": cross_entropy(s["logits"], labels)}
    backward(v)
    out.append(case("ce", "ce", "F.cross_entropy", s, t, v, labels=labels.tolist(), epoch=1))

    s, t = net(g, (b, k), 4, []), net(g, (b, k), 4, [])
    grad_inputs(s)
    v = {"soft": distill_kl(s["logits"], t["logits"], 4.0)}
    backward(v)
    out.append(case("kd", "kd", "RepDistiller distiller_zoo/KD.py DistillKL", s, t, v, {"temperature": 4},
                    labels=labels.tolist(), epoch=1))

    for epoch, factor in [(30, "1"), (10, "0.5")]:
        s, t = net(g, (b, k), 4, []), net(g, (b, k), 4, [])
        grad_inputs(s)
        ramp = min(epoch / 20, 1.0)
        v = {"dkd": ramp * dkd_loss(s["logits"], t["logits"], labels, 1.0, 8.0, 4.0)}
        backward(v)
        out.append(case(f"dkd-warmup-{factor}", "dkd", "mdistiller mdistiller/distillers/DKD.py dkd_loss, "
                        "warm-up min(epoch / 20, 1)", s, t, v,
                        {"alpha": 1, "beta": 8, "temperature": 4, "warmup": 20}, labels=labels.tolist(),
                        epoch=epoch))
    return out


# Stage sizes (C, H) where the student's map is larger, smaller, equal, and a non-integer multiple of the teacher's
SIZES_S = [(2, 8), (3, 4), (3, 4), (2, 6)]
SIZES_T = [(3, 4), (2, 8), (4, 4), (3, 4)]
B = 4


def stage_cases(g):
    out = []
    s, t = net(g, (B, 10), 4, SIZES_S), net(g, (B, 10), 4, SIZES_T)
    grad_inputs(s)
    v = {f"attn{i + 1}": at_loss(fs, ft) for i, (fs, ft) in enumerate(zip(s["stages"], t["stages"]))}
    backward(v)
    out.append(case("at-sizes", "at", "RepDistiller distiller_zoo/AT.py Attention", s, t, v))

    # causal: common sizes 8, 4, 2 and a 6x6 mask: bilinear up, bilinear down, average pooling
    s, t = net(g, (B, 10), 4, [(2, 8), (3, 8), (3, 2)]), net(g, (B, 10), 4, [(3, 8), (2, 4), (4, 4)])
    mask = rand(g, B, 6, 6)
    grad_inputs(s)
    v = {f"attn{i + 1}": causal_at_loss(fs, ft, mask) for i, (fs, ft) in enumerate(zip(s["stages"], t["stages"]))}
    backward(v)
    out.append(case("at-causal", "at", "RepDistiller distiller_zoo/AT.py Attention, weighted by distill4j's "
                    "causal mask (its own definition)", s, t, v,
                    {"causal": True, "causalStage": 3, "igSteps": 16, "causalTop": 0.0}, mask=arr(mask)))

    for name, ss, ts in [("align-pooled", [(2, 8)], [(3, 4)]), ("align-bilinear", [(3, 4)], [(2, 6)])]:
        s, t = net(g, (B, 10), 4, ss), net(g, (B, 10), 4, ts)
        grad_inputs(s)
        v = {"align": align_loss(s["stages"][0], t["stages"][0], 0.1)}
        backward(v)
        out.append(case(name, "align", "distill4j's own (the seed's InfoNCE in attention space)", s, t, v,
                        {"stage": 1, "tau": 0.1}))

    for name, hs, ht in [("fitnet-conv-stride2", 8, 4), ("fitnet-transposed", 4, 8), ("fitnet-conv-k3", 6, 4),
                         ("fitnet-conv-k1", 4, 4)]:
        s, t = net(g, (B, 10), 4, [(2, hs)]), net(g, (B, 10), 4, [(3, ht)])
        reg = round_module(randomise_bn(ConvReg(s["stages"][0].shape, t["stages"][0].shape), g)).train()
        grad_inputs(s)
        v = {"hint": hint_loss(reg(s["stages"][0]), t["stages"][0])}
        backward(v)
        out.append(case(name, "fitnet", "RepDistiller models/util.py ConvReg, distiller_zoo/FitNet.py HintLoss",
                        s, t, v, {"stage": 1}, modules={"regressor.": reg}))

    s, t = net(g, (B, 10), 4, [(2, 8), (3, 4)]), net(g, (B, 10), 4, [(2, 8), (3, 4), (5, 2)])
    grad_inputs(s)
    v = {"sp": similarity_loss(s["stages"][-1], t["stages"][-1])}
    backward(v)
    out.append(case("sp-last-stages", "sp", "RepDistiller distiller_zoo/SP.py Similarity on feat[-2]", s, t, v,
                    {"stage": 0}))

    s, t = net(g, (B, 10), 4, SIZES_S[:3]), net(g, (B, 10), 4, SIZES_T[:3])
    vids = nn.ModuleList([VIDLoss(cs, ct, ct) for (cs, _), (ct, _) in zip(SIZES_S[:3], SIZES_T[:3])])
    with torch.no_grad():
        for m in vids:  # non-constant variances around the initial 5
            m.log_scale.add_(torch.randn(m.log_scale.shape, generator=g))
    round_module(vids).train()
    grad_inputs(s)
    v = {f"vid{i + 1}": m(fs, ft) for i, (m, fs, ft) in enumerate(zip(vids, s["stages"], t["stages"]))}
    backward(v)
    out.append(case("vid-sizes", "vid", "RepDistiller distiller_zoo/VID.py VIDLoss per stage", s, t, v,
                    modules={"": vids}))

    s, t = net(g, (B, 10), 4, SIZES_S), net(g, (B, 10), 4, SIZES_T)
    grad_inputs(s)
    v = {f"nst{i + 1}": nst_loss(fs, ft) for i, (fs, ft) in enumerate(zip(s["stages"], t["stages"]))}
    backward(v)
    out.append(case("nst-sizes", "nst", "RepDistiller distiller_zoo/NST.py NSTLoss", s, t, v))
    return out


def pooled_cases(g):
    out = []
    b = 6
    s, t = net(g, (b, 10), 6, []), net(g, (b, 10), 8, [])
    es, et = round_module(LinearEmbed(6, 5)).train(), round_module(LinearEmbed(8, 5)).train()
    grad_inputs(s)
    v = {"cc": correlation(es(s["pooled"]), et(t["pooled"]))}
    backward(v)
    out.append(case("cc", "cc", "RepDistiller distiller_zoo/CC.py Correlation, models/util.py LinearEmbed",
                    s, t, v, {"dim": 5}, modules={"embed_s.": es, "embed_t.": et}))

    s, t = net(g, (b, 10), 5, []), net(g, (b, 10), 7, [])
    grad_inputs(s)
    v = {"rkd": rkd_loss(s["pooled"], t["pooled"])}
    backward(v)
    out.append(case("rkd", "rkd", "RepDistiller distiller_zoo/RKD.py RKDLoss", s, t, v,
                    {"distanceWeight": 25, "angleWeight": 50}))

    s, t = net(g, (b, 10), 5, []), net(g, (b, 10), 7, [])
    grad_inputs(s)
    v = {"pkt": pkt_loss(s["pooled"], t["pooled"])}
    backward(v)
    out.append(case("pkt", "pkt", "RepDistiller distiller_zoo/PKT.py PKT", s, t, v))

    # CRD: N = 16 records of 4 classes, K = 5 negatives of other classes, embeddings of width 6
    n, k, dim, classes = 16, 5, 6, 4
    train_labels = [i % classes for i in range(n)]
    indices = [3, 7, 0, 12]
    idx = []
    for i in indices:
        others = [j for j in range(n) if train_labels[j] != train_labels[i]]
        pick = torch.randperm(len(others), generator=g)[:k].tolist()
        idx.append([i] + [others[p] for p in pick])
    idx = torch.tensor(idx)
    stdv = 1. / math.sqrt(dim / 3)  # memory.py's initialisation
    memory_v1 = f32(torch.rand(n, dim, generator=g) * 2 * stdv - stdv)
    memory_v2 = f32(torch.rand(n, dim, generator=g) * 2 * stdv - stdv)
    s, t = net(g, (len(indices), 10), 5, []), net(g, (len(indices), 10), 7, [])
    embed_s, embed_t = round_module(Embed(5, dim)).train(), round_module(Embed(7, dim)).train()
    contrast = ContrastMemory(memory_v1, memory_v2, k, 0.07, 0.5)
    grad_inputs(s)
    out_s, out_t = contrast(embed_s(s["pooled"]), embed_t(t["pooled"]), torch.tensor(indices), idx)
    v = {"crd": (contrast_loss(out_s, n) + contrast_loss(out_t, n)).squeeze()}
    backward(v)
    out.append(case("crd", "crd", "RepDistiller crd/criterion.py CRDLoss, crd/memory.py ContrastMemory", s, t, v,
                    {"dim": dim, "negatives": k, "tau": 0.07, "momentum": 0.5},
                    modules={"embed_s.": embed_s, "embed_t.": embed_t},
                    indices=indices, trainLabels=train_labels, numClasses=classes, idx=idx.tolist(),
                    state={"memoryStudent": arr(memory_v1), "memoryTeacher": arr(memory_v2)},
                    after={"memoryStudent": arr(contrast.memory_v1, 9), "memoryTeacher": arr(contrast.memory_v2, 9),
                           "normalizers": [value(contrast.params[2]), value(contrast.params[3])]}))
    return out


def hat_cases(g):
    out = []
    for name, cs, ct in [("hat-equal-widths", [2, 3, 4], [2, 3, 4]), ("hat-unequal-widths", [2, 3, 4], [3, 5, 6])]:
        sizes = [6, 4, 2]
        s = net(g, (B, 10), 4, list(zip(cs, sizes)), preacts=True)
        t = net(g, (B, 10), 4, list(zip(ct, sizes)), preacts=True)
        grad_inputs(s)
        selected = []
        groups = hybrid_loss(s["stages"], t["stages"], s["preacts"], t["preacts"], selected, 3)
        v = {f"hat-{kind}{i + 1}": x for kind, i, x in groups}
        backward(v)
        after = {"after": {"selected": selected[-1]}} if selected else {}  # the channels kept at the last stage
        out.append(case(name, "hat", "somone23412/H-AT cifar_train.py hybrid_loss", s, t, v,
                        {"atScale": 100, "decay": 10}, **after))
    return out


def afd_case(g):
    # teacher blocks at 6x6, 6x6 and 3x3 (two distinct sizes); student blocks at 6x6, 3x3, 3x3 (pooled both ways)
    s = net(g, (B, 10), 4, [(1, 2)], blocks=[(2, 6), (4, 3), (4, 3)])
    t = net(g, (B, 10), 4, [(1, 2)], blocks=[(3, 6), (3, 6), (4, 3)])
    afd = AFD([b.shape for b in s["blocks"]], [b.shape for b in t["blocks"]], 8)
    round_module(randomise_bn(afd, g)).train()
    grad_inputs(s)
    v = {"afd": afd(s["blocks"], t["blocks"])}
    backward(v)
    return [case("afd", "afd", "clovaai/attention-feature-distillation distill/AFD.py", s, t, v, {"qkDim": 8},
                 modules={"": afd})]


def hmat_case(g):
    """distill4j's own HMAT-style term (no reference): position attention on stage 1, channel attention on stage 3
    (through a 1x1 adapter), AT on stages 2 and 3, as HmatTerm's defaults assign them for three stages."""
    tau = 0.1
    s = net(g, (B, 10), 4, [(2, 8), (3, 4), (4, 4)])
    t = net(g, (B, 10), 4, [(3, 4), (2, 8), (5, 4)])
    adapter = round_module(nn.Conv2d(4, 5, kernel_size=1, bias=False))
    grad_inputs(s)
    common = [pool_larger(fs, ft) for fs, ft in zip(s["stages"], t["stages"])]
    v = {"pos1": divergence(log_position(common[0][0], tau), log_position(common[0][1], tau)),
         "chan3": divergence(log_channel(adapter(common[2][0]), tau), log_channel(common[2][1], tau)),
         "attn2": 1000 * at_loss(*common[1]), "attn3": 1000 * at_loss(*common[2])}
    backward(v)
    return [case("hmat", "hmat", "none: distill4j's own HMAT-style reconstruction (MultiAttention, HmatTerm)",
                 s, t, v, {"tau": tau, "positionWeight": 1, "channelWeight": 1, "atWeight": 1000},
                 modules={"adapter3.": adapter})]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()
    torch.manual_seed(20240601)  # module initialisations
    g = torch.Generator().manual_seed(7)  # inputs
    cases = logits_cases(g) + stage_cases(g) + pooled_cases(g) + hat_cases(g) + afd_case(g) + hmat_case(g)
    doc = {"generator": "scripts/reference_terms.py", "torch": torch.__version__,
           "references": {k: {"repo": r, "commit": c} for k, (r, c) in COMMITS.items()}, "cases": cases}
    text = json.dumps(doc, indent=1)
    # one line per list of plain numbers, so the file stays short and readable
    text = re.sub(r"\[[-\d.eE,\s]*\]", lambda m: json.dumps(json.loads(m.group())), text)
    with open(args.out, "w") as f:
        f.write(text + "\n")
    for c in cases:
        print(f"{c['name']:22} {c['term']:7} " + ", ".join(f"{k}={v:.6g}" for k, v in c["expected"].items()))


if __name__ == "__main__":
    main()
