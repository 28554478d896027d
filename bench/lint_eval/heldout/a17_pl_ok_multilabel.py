import lightning.pytorch as pl
import torch
from torch import nn
from torchmetrics.classification import MultilabelF1Score


class Tagger(pl.LightningModule):
    def __init__(self, n_labels=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, n_labels))
        self.loss = nn.BCEWithLogitsLoss()
        self.f1 = MultilabelF1Score(num_labels=n_labels)

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        self.log("f1", self.f1(logits, y.int()))
        return self.loss(logits, y.float())
